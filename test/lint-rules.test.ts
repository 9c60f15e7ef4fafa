import { Linter } from 'eslint';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require('../eslint.config.cjs') as Linter.Config[];

/** Module names of the two provider barrels, built from parts so that no file of the project imports one literally. */
const AZURERM_BARREL = ['@cdktf', 'provider-azurerm'].join('/');
const AZURERM_CDKTN_BARREL = ['@cdktn', 'provider-azurerm'].join('/');
const AZURE_NATIVE_BARREL = ['@pulumi', 'azure-native'].join('/');

/** The lint rules that guard the architecture, run with the project's own config against small snippets. */
describe('lint rules', () => {
  const linter = new Linter({ configType: 'flat', cwd: process.cwd() });
  const messages = (code: string, file: string): string[] =>
    linter.verify(code, config, { filename: file }).map((m) => `${m.ruleId}: ${m.message}`);

  it('fails when a construct imports the azurerm provider barrel', () => {
    expect(
      messages(
        `import { RecoveryServicesVault } from '${AZURERM_BARREL}';\nexport const x = RecoveryServicesVault;\n`,
        'constructs/cdktf/x.ts',
      ),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*@cdktf\/provider-azurerm\/lib\/<resource>/)]);
  });

  it('fails when anything imports the CDK Terrain azurerm provider barrel', () => {
    expect(
      messages(
        `import { RecoveryServicesVault } from '${AZURERM_CDKTN_BARREL}';\nexport const x = RecoveryServicesVault;\n`,
        'constructs/cdktf/flavour.cdktn.ts',
      ),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*@cdktn\/provider-azurerm\/lib\/<resource>/)]);
  });

  it('fails when anything imports the azure-native barrel', () => {
    expect(
      messages(`import * as azure from '${AZURE_NATIVE_BARREL}';\nexport const x = azure;\n`, 'stacks/x.ts'),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*@pulumi\/azure-native\/<module>/)]);
  });

  it('fails when the domain imports an engine', () => {
    for (const mod of [
      'cdktf',
      'cdktn',
      'constructs',
      '@cdktf/provider-azurerm/lib/provider',
      '@cdktn/provider-azurerm/lib/provider',
      '@pulumi/pulumi',
    ]) {
      expect(
        messages(`import * as m from '${mod}';\nexport const x = m;\n`, 'constructs/domain/x.ts'),
      ).toEqual([expect.stringMatching(/constructs\/domain must not import an engine/)]);
    }
  });

  it('fails when the Terraform adapter imports cdktn outside its cdktn flavour module', () => {
    const code = "import { App } from 'cdktn';\nexport const x = App;\n";
    expect(messages(code, 'constructs/cdktf/recovery-vault.ts')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*imports cdktf; its cdktn flavour is mapped from it/),
    ]);
    expect(messages(code, 'constructs/cdktf/flavour.cdktn.ts')).toEqual([]);
    expect(
      messages("import { App } from 'cdktf';\nexport const x = App;\n", 'constructs/cdktf/flavour.cdktn.ts'),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*The cdktn flavour module imports cdktn/)]);
  });

  it('allows deep imports in adapters', () => {
    expect(
      messages(
        "import { RecoveryServicesVault } from '@cdktf/provider-azurerm/lib/recovery-services-vault';\nexport const x = RecoveryServicesVault;\n",
        'constructs/cdktf/x.ts',
      ),
    ).toEqual([]);
  });

  it('refuses `any` in code', () => {
    expect(messages('export const f = (x: any): number => x;\n', 'constructs/cdktf/x.ts')).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-explicit-any/),
    ]);
  });
});
