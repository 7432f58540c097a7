import { teardownRunCluster } from './kind-run-cluster';

export default teardownRunCluster;
