import { setupRun } from './run-wide-setup';

export default setupRun;
