#Requires -Version 7.4
<#
.SYNOPSIS
    Makes every replication protection container mapping of one Recovery Services vault, or of every
    vault of an estate (a list, or found each night through Azure Resource Graph), carry the desired
    Mobility-service auto-update setting, and reports exactly what it did.

.DESCRIPTION
    Runs in Azure Automation under the automation account's system-assigned managed identity,
    deployed by default on a PowerShell 7.6 runtime environment (runbook type PowerShell), or on 7.4
    when automation.runtime.version asks for it (7.1 and 7.2 are retired in Automation). The language
    stays within PowerShell 7.4 (#Requires -Version 7.4), so the same script runs on both. It is a
    reconciler: a second run changes nothing.
    It needs no module: the token comes from the managed identity endpoint and every call is
    a plain HTTPS request to Azure Resource Manager.

    After the reconciliation it reads the vault's replication protected items (read-only) and reports
    on every A2A and InMageRcm machine's Mobility agent, by the rules of classifyAgent in the domain.

    The work runs on one runspace pool for the job, as wide as MaxRequestsInFlight: vaults listed and
    reported on side by side (MaxParallelVaults at once), their mapping updates followed across the job
    (MaxConcurrency per vault), an operation's wait holding no runspace. A fleet (VaultResourceIds
    and/or discovery) is reconciled under one deadline, at most MaxRequestsInFlight ARM requests in flight across the job, each
    request bounded by RequestTimeoutSeconds, ARM's throttling honoured per subscription (429 and
    Retry-After; requests paced when x-ms-ratelimit-remaining-subscription-reads/-writes run low). A
    vault's failure stays its own; a vault whose turn comes when the deadline is near is NotStarted.
    One token serves the whole job. The fleet summary is compact: one section per vault with complete
    counts; the mapping and machine lists are capped over the whole job, most severe first, and the
    document is kept under 768 KiB (Automation's job stream limit is 1 MiB).

    When IngestionEndpoint and IngestionRuleId are given, the night's judgement also goes to two custom
    Log Analytics tables (AsrMobilityAgent_CL, AsrMobilityRun_CL) through the Logs Ingestion API, with a
    token for Azure Monitor from the same managed identity; a dry run sends its rows too (they are read-only
    facts). Sending never changes what was reconciled.

    Exactly one JSON document (summary schema 3) is written to the Output stream, last, on success and
    on failure. Outcomes other than Succeeded, NoChange and DryRun throw after the summary, so the
    Automation job is marked Failed and `pwsh -File` exits non-zero: among them AgentsNeedAttention
    (agents out of support or blocked), ReportFailed (the protected items could not be read) and
    IngestionFailed (rows could not all be sent to Log Analytics; the summary's ingestion section says which).

.PARAMETER VaultResourceId
    /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}

.PARAMETER VaultResourceIds
    A fleet: comma-separated vault ids (no duplicates), instead of VaultResourceId; may be combined with
    discovery (union, deduplicated case-insensitively). At most 2000 vaults per job in all. The summary
    has a section per vault and an overall outcome: Failed when no vault succeeded, PartiallyFailed when
    some did and others failed, TimedOut when the others only timed out or were not started.

.PARAMETER DiscoverySubscriptionIds
    Comma-separated subscription GUIDs: each night, the Recovery Services vaults in them are found
    through Azure Resource Graph (paged with $skipToken) and reconciled.

.PARAMETER DiscoveryManagementGroupId
    One management group id: the vaults under it are found through Azure Resource Graph.

.PARAMETER DiscoveryTag
    name=value (vaults carrying that tag with that value; the name compares case-insensitively as in
    ARM) or name alone (the tag present, any value). Optional; needs a discovery scope. No quotes,
    backslashes or control characters; the name cannot contain < > % & ? /.

.PARAMETER ExcludeVaultResourceIds
    Comma-separated vault ids never reconciled, even when listed or found.

.PARAMETER MaxParallelVaults
    1 to 32 vaults read (listed, reported on) side by side; their mapping updates go on across the job
    while the next vaults are read. Default 8; 1 reconciles one vault after another.

.PARAMETER MaxRequestsInFlight
    1 to 64 ARM requests in flight across the whole job. Default 16.

.PARAMETER RequestTimeoutSeconds
    5 to 300: the longest one HTTP request may take (never past the deadline). Default 60.

.PARAMETER AutoUpdateAction
    Enabled or Disabled.

.PARAMETER AutomationAccountArmId
    The automation account the A2A mappings use for updates. Required when enabling A2A.

.PARAMETER Providers
    Comma-separated subset of A2A,InMageRcm. Default A2A.

.PARAMETER AzureEnvironment
    AzureCloud, AzureUSGovernment or AzureChinaCloud.

.PARAMETER ArmEndpoint
    Overrides the Resource Manager endpoint. https only, except loopback hosts.

.PARAMETER DryRun
    Plans and reports; writes nothing.

.PARAMETER SkipAgentReport
    Does not read the protected items; the summary's agents section says Skipped.

.PARAMETER AgentExpiringWithinDays
    0 to 365: an agent whose support ends within this many days is SupportExpiring. Default 30.

.PARAMETER MaxAgentsListed
    0 to 5000 machines listed, most severe first: per vault, or over the whole job for a fleet; the counts
    always cover every machine. Default 1000.

.PARAMETER IngestionEndpoint
    The logs ingestion URI of a data collection endpoint (or of a data collection rule), for example
    https://dce-asr-weu-a1b2.westeurope-1.ingest.monitor.azure.com. With IngestionRuleId, each run sends one
    row per machine judged (stream Custom-AsrMobilityAgent_CL) and one row per vault (Custom-AsrMobilityRun_CL)
    to Log Analytics through the Logs Ingestion API, after the reconciliation. https only, except loopback
    hosts; no path. Give both or neither. Default: nothing is sent.

.PARAMETER IngestionRuleId
    The immutable id of the data collection rule that declares both streams: dcr- followed by 32 hex
    digits. The identity needs Monitoring Metrics Publisher on that rule. Rows that cannot be sent are
    listed in the summary's ingestion section and the job ends IngestionFailed (a worse outcome of the
    reconciliation stands).

.PARAMETER ReportTimeUtc
    Tests only: the time the report judges expiry dates against, ISO 8601 with a zone. Default: now.

.EXAMPLE
    pwsh -File Set-AsrMobilityAutoUpdate.ps1 -VaultResourceId /subscriptions/.../vaults/v1 -AutoUpdateAction Enabled -AutomationAccountArmId /subscriptions/.../automationAccounts/a1 -DryRun
#>
[CmdletBinding()]
param(
    [string] $VaultResourceId = '',
    [string] $VaultResourceIds = '',
    [string] $DiscoverySubscriptionIds = '',
    [string] $DiscoveryManagementGroupId = '',
    [string] $DiscoveryTag = '',
    [string] $ExcludeVaultResourceIds = '',
    [string] $MaxParallelVaults = '8',
    [string] $MaxRequestsInFlight = '16',
    [string] $RequestTimeoutSeconds = '60',
    [string] $AutoUpdateAction = '',
    [string] $AutomationAccountArmId = '',
    [string] $Providers = 'A2A',
    [string] $AzureEnvironment = 'AzureCloud',
    [string] $ArmEndpoint = '',
    [string] $ApiVersion = '2026-05-01',
    [string] $TimeoutSeconds = '3600',
    [string] $MaxConcurrency = '4',
    [string] $MaxRetries = '5',
    [switch] $DryRun,
    [switch] $SkipAgentReport,
    [string] $AgentExpiringWithinDays = '30',
    [string] $MaxAgentsListed = '1000',
    [string] $IngestionEndpoint = '',
    [string] $IngestionRuleId = '',
    # Tests only: the time the agent report judges expiry dates against (ISO 8601 with a zone). Default: now.
    # Untyped: a job's JSON parameters may arrive already turned into a DateTime, which a [string] would
    # reformat in the runtime's culture.
    $ReportTimeUtc = ''
)

$ErrorActionPreference = 'Stop'
# Automation records the Verbose stream only when the runbook writes to it; a job schedule passes no
# -Verbose, so progress is on unless the caller says -Verbose:$false.
if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = 'Continue' }
$RunbookVersion = '1.3.0'
$SummarySchemaVersion = 3
# The functions this script defines, loaded once into the session state of the job's runspace pool.
$FunctionsBefore = @(Get-ChildItem -Path function: | ForEach-Object { $_.Name })
