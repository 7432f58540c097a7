import { teardownRun } from './run-wide-setup';

export default teardownRun;
