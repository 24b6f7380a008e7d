// A stand-in for the Python extension's API (environments.getActiveEnvironmentPath
// and resolveEnvironment), so the test checks that Pytrix picks the active
// interpreter of the Python extension when pytrix.server.python is empty.
const vscode = require("vscode");

function activate() {
  const path = process.env.PYTRIX_E2E_PYTHON || "python3";
  return {
    environments: {
      getActiveEnvironmentPath: () => ({ id: path, path }),
      resolveEnvironment: async (env) => ({ executable: { uri: vscode.Uri.file(env.path || path) } }),
    },
  };
}

module.exports = { activate, deactivate() {} };
