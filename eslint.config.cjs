// @ts-check
// CommonJS, so that test/lint-rules.test.ts can run these exact rules through ESLint's Linter.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');

/** The provider barrels cost seconds and hundreds of MB: deep imports only. */
const barrelBan = {
  paths: [
    { name: '@cdktf/provider-azurerm', message: "Import '@cdktf/provider-azurerm/lib/<resource>' instead." },
    { name: '@cdktn/provider-azurerm', message: "Import '@cdktn/provider-azurerm/lib/<resource>' instead." },
    { name: '@pulumi/azure-native', message: "Import '@pulumi/azure-native/<module>' instead." },
  ],
};

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'cdktf.out/**',
      'cdktn.out/**',
      'out/**',
      '.tools/**',
      'coverage/**',
      'examples/**/node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', barrelBan],
    },
  },
  {
    // No import circle: domain on the ground, adapters above it, stacks and bench on top. Relative
    // imports resolve as Node resolves them, with the TypeScript extensions; type-only imports are
    // erased at compile time and do not count.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/external-module-folders': ['node_modules'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    // The domain is engine-neutral: no engine may leak into it.
    files: ['constructs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...barrelBan,
          patterns: [
            {
              group: [
                'cdktf',
                'cdktf/*',
                '@cdktf/*',
                'cdktn',
                'cdktn/*',
                '@cdktn/*',
                '@pulumi/*',
                'constructs',
                'constructs/*',
              ],
              message:
                'constructs/domain must not import an engine (cdktf, @cdktf/*, cdktn, @cdktn/*, @pulumi/*, constructs).',
            },
          ],
        },
      ],
    },
  },
  {
    // One source for both Terraform flavours: written against cdktf, mapped to cdktn (scripts/flavours.cjs).
    files: ['constructs/cdktf/**/*.ts', 'stacks/cdktf/**/*.ts'],
    ignores: ['constructs/cdktf/flavour.cdktn.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...barrelBan,
          patterns: [
            {
              group: ['cdktn', 'cdktn/*', '@cdktn/*'],
              message:
                'The Terraform adapter imports cdktf; its cdktn flavour is mapped from it. Put what only cdktn has in constructs/cdktf/flavour.cdktn.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['constructs/cdktf/flavour.cdktn.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...barrelBan,
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', '@cdktf/*'],
              message: 'The cdktn flavour module imports cdktn and @cdktn/provider-azurerm/lib/<resource>.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
