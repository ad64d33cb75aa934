import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { LeaseAttributes, LeaseEnvironment, RUNTIME_METRICS_NAMESPACE, RuntimeMetricNames } from '../../lib/runtime';

/** What a lease pattern's container runs while the real daemon is not there yet. */
export interface LeasePlaceholder {
  readonly image: ecs.ContainerImage;
  readonly entryPoint: string[];
  readonly command: string[];
  readonly environment: Record<string, string>;
}

/** The public AWS CLI image: `aws` and a POSIX shell, nothing else needed. */
export const LEASE_PLACEHOLDER_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:latest';

/**
 * A stand-in for a daemon of `SingletonDaemon` or `HotStandbyConsumer` that
 * behaves like a real one for the pattern's alarms: it takes and renews the
 * lease with the protocol of lib/runtime (conditional `UpdateItem` calls on
 * the lease item, fencing token, expiry by the caller's clock, skew), releases
 * it on SIGTERM, and prints the runtime's metrics (`LeaseHeartbeat`,
 * `LeaseHeld`, `LeaseAcquired`) as CloudWatch embedded metric format lines,
 * which CloudWatch Logs turns into metrics from the task's log group. So the
 * `LeaseNotRenewed` and `NoLeader` alarms are OK while a task holds the lease
 * and go to ALARM when none does, as they would with the real daemon.
 *
 * It needs no permission beyond what the pattern grants its task role
 * (`dynamodb:UpdateItem` on the lease item; EMF lines need none). It does
 * nothing else: it holds the lease and reads no stream.
 */
export function leasePlaceholder(scope: Construct): LeasePlaceholder {
  return {
    image: ecs.ContainerImage.fromRegistry(LEASE_PLACEHOLDER_IMAGE),
    // The image's entry point is `aws`: run the script with the shell instead.
    entryPoint: ['sh', '-c'],
    command: [LEASE_PLACEHOLDER_SCRIPT],
    environment: {
      // The CLI's region (Fargate sets it too; explicit, so the script does not depend on it).
      AWS_DEFAULT_REGION: Stack.of(scope).region,
      // Anything the CLI writes under its home goes to the scratch volume (see addLeasePlaceholderScratch).
      HOME: SCRATCH_PATH,
    },
  };
}

/** Where the placeholder's writable scratch volume is mounted. */
export const SCRATCH_PATH = '/tmp';

/**
 * Gives the placeholder's container a writable `/tmp` on the task's
 * ephemeral storage: the patterns keep the root file system read-only, and
 * AWS CLI v2 (a PyInstaller bundle) needs a writable, executable temporary
 * directory to start (aws/aws-cli issues 5047 and 5909).
 */
export function addLeasePlaceholderScratch(pattern: { readonly taskDefinition: ecs.TaskDefinition; readonly container: ecs.ContainerDefinition }): void {
  pattern.taskDefinition.addVolume({ name: 'scratch' });
  pattern.container.addMountPoints({ sourceVolume: 'scratch', containerPath: SCRATCH_PATH, readOnly: false });
}

const E = LeaseEnvironment;
const A = LeaseAttributes;
const M = RuntimeMetricNames;

/**
 * The lease protocol of lib/runtime/README.md in POSIX shell (GNU `date` for
 * milliseconds). Acquire: `SET holder, expiresAt = t0 + D ADD fencingToken 1`
 * if `expiresAt` is absent or older than `t0 - S`; renew: `SET expiresAt =
 * t0 + D` if holder and token are still ours; valid until `t0 + D - S`. A failed
 * condition forgets the lease; another error keeps it until it runs out.
 */
export const LEASE_PLACEHOLDER_SCRIPT = [
  'set -u',
  'export AWS_PAGER=""',
  `D=$${E.DURATION_MS}; R=$${E.RENEW_INTERVAL_MS}; S=$${E.MAX_CLOCK_SKEW_MS}`,
  'me=$(cat /proc/sys/kernel/random/uuid)',
  `key='{"${A.KEY}":{"S":"'"$${E.LEASE_NAME}"'"}}'`,
  `names='{"#exp":"${A.EXPIRES_AT}","#holder":"${A.HOLDER}","#token":"${A.TOKEN}"}'`,
  'token=""; valid=0',
  'now() { date +%s%3N; }',
  // One embedded-metric-format line: namespace, dimensions TableName and LeaseName, one Count metric.
  'emf() { printf \'{"_aws":{"Timestamp":%s,"CloudWatchMetrics":[{"Namespace":"%s","Dimensions":[["TableName","LeaseName"]],' +
    '"Metrics":[{"Name":"%s","Unit":"Count"}]}]},"TableName":"%s","LeaseName":"%s","%s":%s}\\n\' ' +
    `"$(now)" "${RUNTIME_METRICS_NAMESPACE}" "$1" "$${E.TABLE_NAME}" "$${E.LEASE_NAME}" "$1" "$2"; }`,
  `update() { aws dynamodb update-item --table-name "$${E.TABLE_NAME}" --key "$key" --expression-attribute-names "$names" "$@"; }`,
  'release() {',
  '  if [ -n "$token" ]; then',
  '    update --update-expression "SET #exp = :zero REMOVE #holder" --condition-expression "#holder = :me AND #token = :token" \\',
  '      --expression-attribute-values \'{":zero":{"N":"0"},":me":{"S":"\'"$me"\'"},":token":{"N":"\'"$token"\'"}}\' >/dev/null 2>&1',
  '  fi',
  '  exit 0',
  '}',
  'trap release TERM INT',
  'while :; do',
  '  t0=$(now)',
  '  if [ -z "$token" ]; then',
  '    out=$(update --update-expression "SET #holder = :me, #exp = :exp ADD #token :one" \\',
  '      --condition-expression "attribute_not_exists(#exp) OR #exp < :cutoff" \\',
  '      --expression-attribute-values \'{":me":{"S":"\'"$me"\'"},":exp":{"N":"\'$((t0 + D))\'"},":cutoff":{"N":"\'$((t0 - S))\'"},":one":{"N":"1"}}\' \\',
  `      --return-values ALL_NEW --query Attributes.${A.TOKEN}.N --output text 2>&1); rc=$?`,
  '  else',
  '    out=$(update --update-expression "SET #exp = :exp" --condition-expression "#holder = :me AND #token = :token" \\',
  '      --expression-attribute-values \'{":exp":{"N":"\'$((t0 + D))\'"},":me":{"S":"\'"$me"\'"},":token":{"N":"\'"$token"\'"}}\' 2>&1); rc=$?',
  '  fi',
  '  checked=1',
  '  if [ "$rc" -eq 0 ] && [ -z "$token" ]; then',
  // The token is the answer's last line (the CLI may print a warning before it).
  '    last=$(printf "%s\\n" "$out" | tail -n 1)',
  '    case "$last" in',
  `      ""|*[!0-9]*) echo "lease: unexpected answer to the acquisition: $out" >&2; checked=0 ;;`,
  `      *) token=$last; valid=$((t0 + D - S)); emf ${M.ACQUIRED} 1; emf ${M.HEARTBEAT} 1 ;;`,
  '    esac',
  '  elif [ "$rc" -eq 0 ]; then',
  `    valid=$((t0 + D - S)); emf ${M.HEARTBEAT} 1`,
  '  else',
  '    case "$out" in',
  '      *ConditionalCheckFailed*) token=""; valid=0 ;;',
  '      *) echo "lease: $out" >&2; checked=0 ;;',
  '    esac',
  '  fi',
  '  if [ "$checked" -eq 1 ]; then',
  `    if [ -n "$token" ] && [ "$(now)" -lt "$valid" ]; then emf ${M.HELD} 1; else emf ${M.HELD} 0; fi`,
  '  fi',
  '  sleep "$((R / 1000)).$(printf %03d $((R % 1000)))" & wait $!',
  'done',
].join('\n');
