import { setupRunCluster } from './kind-run-cluster';

export default setupRunCluster;
