import {
  planScenario,
  resolveA2AScenario,
  resolveExistingVaultsScenario,
  silenceAlertQuery,
  type EstateVisibilityProps,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, violationsOf } from '../fixtures';

const LAW = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops`;
const resolve = (visibility: unknown) =>
  resolveA2AScenario(
    a2aProps({ automation: { clock: fixedClock, visibility: visibility as EstateVisibilityProps } }),
  );

describe('estate visibility props', () => {
  it('applies the defaults: names from the account, the account region, the alert on', () => {
    const v = resolve({ workspaceResourceId: LAW }).automation!.visibility!;
    expect(v.dataCollectionEndpoint.name).toBe('rsv-dr-weu-asr-updates-estate-dce');
    expect(v.dataCollectionRule.name).toBe('rsv-dr-weu-asr-updates-estate-dcr');
    expect(v.location).toBe('westeurope');
    expect(v.workbook.displayName).toBe('Site Recovery Mobility agents (rsv-dr-weu-asr-updates)');
    expect(v.atRiskAlert).toMatchObject({
      name: 'rsv-dr-weu-asr-updates-agents-at-risk',
      severity: 2,
      windowSize: 'P2D',
      dimensions: [{ name: 'VaultId', operator: 'Include', values: ['*'] }],
    });
    expect(v.silenceAlert).toMatchObject({
      name: 'rsv-dr-weu-asr-updates-vaults-silent',
      severity: 1,
      windowSize: 'P2D',
      evaluationFrequency: 'PT1H',
      autoMitigate: true,
      query: silenceAlertQuery(28),
      dimensions: [{ name: 'VaultId', operator: 'Include', values: ['*'] }],
    });
    expect(v.silenceAlert!.description).toContain('48 h after its last row');
    expect(v.roleAssignment.roleDefinitionGuid).toBe('3913510d-42f4-4e42-8a64-420c390055eb');
  });

  it('names the role assignment and the workbook deterministically, distinct per account', () => {
    const a = resolve({ workspaceResourceId: LAW }).automation!.visibility!;
    const b = resolve({ workspaceResourceId: LAW }).automation!.visibility!;
    expect([a.roleAssignment.name, a.workbook.name]).toEqual([b.roleAssignment.name, b.workbook.name]);
    const other = resolveA2AScenario(
      a2aProps({
        automation: { clock: fixedClock, name: 'aa-other-updates', visibility: { workspaceResourceId: LAW } },
      }),
    ).automation!.visibility!;
    expect(other.roleAssignment.name).not.toBe(a.roleAssignment.name);
    expect(other.workbook.name).not.toBe(a.workbook.name);
  });

  it('plans nothing of it without a workspace', () => {
    const plan = planScenario(resolveA2AScenario(a2aProps()));
    expect(
      plan.filter((p) => /dataCollection|workbooks|scheduledQueryRules|workspaces\/tables/.test(p.type)),
    ).toEqual([]);
  });

  it('fails when the props are wrong, with one error naming every prop, value and rule', () => {
    const violations = violationsOf(() =>
      resolve({
        workspaceResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`,
        location: 'atlantis',
        dataCollectionEndpointName: '-bad',
        dataCollectionRuleName: 'x'.repeat(65),
        workbookDisplayName: '  ',
        atRiskAlertName: 'a/b',
        atRiskAlertSeverity: 7,
        atRiskAlertEnabled: 'yes',
        silenceAlertEnabled: 1,
        silenceAlertName: 'x.',
        silenceAlertSeverity: -1,
        silenceAlertAfterHours: 48,
        extra: 1,
      }),
    );
    expect(violations.map((v) => v.prop).sort()).toEqual(
      [
        'automation.visibility.extra',
        'automation.visibility.workspaceResourceId',
        'automation.visibility.location',
        'automation.visibility.dataCollectionEndpointName',
        'automation.visibility.dataCollectionRuleName',
        'automation.visibility.workbookDisplayName',
        'automation.visibility.atRiskAlertName',
        'automation.visibility.atRiskAlertSeverity',
        'automation.visibility.atRiskAlertEnabled',
        'automation.visibility.silenceAlertEnabled',
        'automation.visibility.silenceAlertName',
        'automation.visibility.silenceAlertSeverity',
        'automation.visibility.silenceAlertAfterHours',
      ].sort(),
    );
    expect(violations.find((v) => v.prop.endsWith('workspaceResourceId'))!.rule).toContain(
      'Microsoft.OperationalInsights/workspaces',
    );
  });

  it('takes the silence threshold from 25 to 47 hours, and plans both alerts with their VaultId dimension', () => {
    const spec = resolve({ workspaceResourceId: LAW, silenceAlertAfterHours: 25 });
    expect(spec.automation!.visibility!.silenceAlert!.query).toBe(silenceAlertQuery(25));
    expect(
      resolve({ workspaceResourceId: LAW, silenceAlertEnabled: false }).automation!.visibility!.silenceAlert,
    ).toBeUndefined();
    const rules = planScenario(spec).filter((p) => p.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.map((r) => r.name)).toEqual([
      'rsv-dr-weu-asr-updates-agents-at-risk',
      'rsv-dr-weu-asr-updates-vaults-silent',
    ]);
    for (const r of rules)
      expect(r.properties.criterion).toMatchObject({
        dimensions: [{ name: 'VaultId', operator: 'Include', values: ['*'] }],
      });
  });

  it('fails when the silence threshold is not an integer from 25 to 47, naming prop, value and rule', () => {
    for (const value of [24, 48, 26.5, '26']) {
      const [v, ...rest] = violationsOf(() =>
        resolve({ workspaceResourceId: LAW, silenceAlertAfterHours: value }),
      );
      expect(rest).toEqual([]);
      expect(v).toMatchObject({ prop: 'automation.visibility.silenceAlertAfterHours', value });
      expect(v!.rule).toMatch(/25.*47/);
    }
  });

  it('fails when the workspace is missing or visibility is not an object', () => {
    expect(violationsOf(() => resolve({})).map((v) => v.prop)).toEqual([
      'automation.visibility.workspaceResourceId',
    ]);
    expect(violationsOf(() => resolve('law')).map((v) => v.prop)).toEqual(['automation.visibility']);
  });

  it('is accepted by a fleet, whose jobs all get the ingestion parameters', () => {
    const spec = resolveExistingVaultsScenario({
      vaults: [
        {
          vaultResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv-a`,
          sourceRegion: 'northeurope',
        },
      ],
      automation: {
        name: 'aa-fleet',
        resourceGroupName: 'rg-automation',
        location: 'westeurope',
        clock: fixedClock,
        visibility: { workspaceResourceId: LAW },
      },
    });
    expect(spec.automation.schedules[0]!.jobParameters).toMatchObject({
      ingestionendpoint: '<dataCollectionEndpoint.logsIngestionEndpoint>',
      ingestionruleid: '<dataCollectionRule.immutableId>',
    });
  });
});
