// Lint rules, including the dependency direction of the architecture:
//   bin -> agent -> hal (interfaces);  scenarios -> agent, hal
// hal never imports agent or scenarios; agent never imports a concrete driver (hal/sim, hal/serial)
// and never reads node-config; only bin/ reads node-config.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Time comes from the injected Clock and output from the injected logger (hal/clock.ts is the one
// place that arms real timers).
const clockAndLogRules = {
  'no-restricted-syntax': ['error',
    { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the injected Clock (clock.now()).' },
    { selector: "CallExpression[callee.name=/^(setTimeout|setInterval)$/]", message: 'Use the injected Clock (clock.setTimeout()).' },
    { selector: "CallExpression[callee.object.name='console']", message: 'Use the injected pino logger.' },
  ],
};

const nodeConfigMessage = 'Only bin/ reads node-config; pass settings in as a typed object.';
const nodeConfig = { name: 'config', message: nodeConfigMessage };
const ocppRpcDirect = {
  group: ['ocpp-rpc', 'ocpp-rpc/*'],
  allowTypeImports: true,
  message: "Load ocpp-rpc through agent/ocpp/ocppRpc.ts (it keeps only the validators of the OCPP versions in use in memory).",
};
const nodeConfigDeep = { group: ['config/*'], message: nodeConfigMessage };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', queueMicrotask: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['hal/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [nodeConfig],
        patterns: [
          nodeConfigDeep,
          { group: ['**/agent/**', '**/agent', '**/scenarios/**', '**/bin/**'], message: 'hal/ must not import agent/, scenarios/ or bin/ (dependencies point bin -> agent -> hal).' },
        ],
      }],
    },
  },
  {
    files: ['agent/**/*.ts'],
    ignores: ['agent/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [nodeConfig],
        patterns: [
          nodeConfigDeep,
          ocppRpcDirect,
          { group: ['**/hal/sim/**', '**/hal/sim', '**/hal/serial/**', '**/hal/serial'], message: 'agent/ depends on HAL interfaces only (hal/index.ts); concrete drivers are wired in bin/.' },
          { group: ['**/scenarios/**', '**/bin/**'], message: 'agent/ must not import scenarios/ or bin/.' },
        ],
      }],
    },
  },
  {
    files: ['agent/**/*.ts', 'hal/**/*.ts'],
    ignores: ['**/*.test.ts', 'hal/contract/**', 'hal/clock.ts'],
    rules: clockAndLogRules,
  },
  {
    files: ['scenarios/**/*.ts', 'test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [nodeConfig], patterns: [nodeConfigDeep, ocppRpcDirect] }],
    },
  },
  {
    // The dashboard page's script runs in the browser (bin/dashboard/public).
    files: ['bin/dashboard/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', EventSource: 'readonly', uPlot: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'hal/contract/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
