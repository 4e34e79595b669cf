export { ApiDeployPort } from './api.js';
export { deployBranch, describeOutcome } from './deploy.js';
export { basicAuthEnv, GitDeployPort } from './git.js';
export { validateDeployBranch, validateDeployRemote, type DeployRemote } from './inputs.js';
export { DeployRaceError, deployMessage, planDeploy, type CommitRef, type DeployOutcome, type DeployPlan, type DeployWhat } from './plan.js';
export type { DeployBranchPort } from './port.js';
export { syncRemote } from './remote.js';
