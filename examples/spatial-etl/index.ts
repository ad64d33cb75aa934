import { App } from 'aws-cdk-lib';
import { ExampleContext, ExampleDefinition, exampleSettings } from '../context';
import { addSpatialCells } from './cells';

/** Spatial ETL: active-active cells, each with its own database and file share, behind a load balancer, with update fan-out. */
export const spatialEtl: ExampleDefinition = {
  name: 'spatial-etl',
  description: 'Spatial ETL: active-active cells, each with its own database and file share, behind a load balancer, with update fan-out.',
  build(app: App): ExampleContext {
    const ctx = new ExampleContext(app, 'spatial-etl', exampleSettings(app));
    addSpatialCells(ctx);
    return ctx;
  },
};
