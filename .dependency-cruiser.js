/**
 * What `npm test` checks of the import graph (`npm run deps`) beside lint, which already keeps the
 * layers pointing down (eslint.config.js: hal/ <- agent/ <- scenarios/ <- bin/): no import circle,
 * and nothing that ships depends on a test or on test/ support.
 */
export default {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Files that import each other in a loop.', from: {}, to: { circular: true } },
    {
      name: 'shipped-code-imports-tests',
      severity: 'error',
      comment: 'Code that ships must not depend on tests or test support.',
      from: { path: '^(hal|agent|scenarios|bin)/', pathNot: ['[.]test[.]ts$', '/testing/', '/testdata/', '/contract/'] },
      // Test support lives in test/ and in the testing/, testdata/ and contract/ folders beside the
      // code it exercises; none of it is published (package.json "files").
      to: { path: ['^test/', '[.]test[.]ts$', '/testing/', '/testdata/', '/contract/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a circle over types is still a circle to a reader.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
