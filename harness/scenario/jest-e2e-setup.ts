// Scenarios bring a whole topology up and down; Jest's 5 s default is for unit tests (and a project-level
// `testTimeout` is not applied to projects).
jest.setTimeout(300000);
