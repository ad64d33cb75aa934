/**
 * What the launcher's bundle puts in place of `@aws-sdk/client-dynamodb`:
 * the names `LeaseClient` and `LeaseClaim` use, over `DynamoDbLite`. So the container
 * runs the library's own `LeaseClient` on a stock Node.js image.
 */
import { DynamoDbLite, DynamoDbLiteOptions } from './dynamodb-lite';

/** The conditional-write failure, recognised by `LeaseClient` by its name. */
export class ConditionalCheckFailedException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionalCheckFailedException';
  }
}

/** An `UpdateItem` request, as the SDK's command holds it. */
export class UpdateItemCommand {
  constructor(public readonly input: object) {}
}

/** A `GetItem` request (the failback's claim check). */
export class GetItemCommand {
  constructor(public readonly input: object) {}
}

/** `send(new UpdateItemCommand(...))` and `send(new GetItemCommand(...))` over `DynamoDbLite`. */
export class DynamoDBClient {
  private readonly lite: DynamoDbLite;
  constructor(options: DynamoDbLiteOptions = {}) {
    this.lite = new DynamoDbLite(options);
  }

  public async send(command: UpdateItemCommand | GetItemCommand): Promise<Record<string, unknown>> {
    if (command instanceof GetItemCommand) return this.lite.call('GetItem', command.input);
    if (!(command instanceof UpdateItemCommand)) throw new Error('the launcher sends UpdateItem and GetItem only');
    return this.lite.call('UpdateItem', command.input);
  }

  public destroy(): void {
    // nothing to close: fetch keeps no client state here
  }
}
