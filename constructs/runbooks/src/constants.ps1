# --- Cloud facts -------------------------------------------------------------------------------

$Clouds = @{
    AzureCloud        = @{ Arm = 'https://management.azure.com'; Audience = 'https://management.azure.com/' }
    AzureUSGovernment = @{ Arm = 'https://management.usgovcloudapi.net'; Audience = 'https://management.usgovcloudapi.net/' }
    AzureChinaCloud   = @{ Arm = 'https://management.chinacloudapi.cn'; Audience = 'https://management.chinacloudapi.cn/' }
}

$GuidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
# Segments follow Azure's naming rules, so an id can never carry a query, a fragment, white space or a
# dot segment into a URL; \A and \z, because $ would also accept a trailing newline. A vault id is the
# domain's parseVaultResourceId, tested against one table (test/fixtures/vault-id-cases.json): the fixed
# words compare case-insensitively as ARM does, the segments case-sensitively ((?-i): under -match the
# Kelvin sign would pass for a k).
$ResourceGroupPattern = '[-\p{L}\p{Nd}_.()]{0,89}[-\p{L}\p{Nd}_()]'
$VaultIdPattern = "(?-i)\A/(?i:subscriptions)/$GuidPattern/(?i:resourceGroups)/$ResourceGroupPattern/(?i:providers/Microsoft\.RecoveryServices/vaults)/[A-Za-z][A-Za-z0-9-]{1,49}/?\z"
$AccountIdPattern = "\A/subscriptions/$GuidPattern/resourceGroups/$ResourceGroupPattern/providers/Microsoft\.Automation/automationAccounts/[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]/?\z"
$KnownProviders = @('A2A', 'InMageRcm')
# A fleet job reconciles at most this many vaults (listed and found): the vaults run side by side under
# one deadline; the bench measured 500 vaults well inside it, and the compact summary stays under its
# byte budget at this size. Listed ids also count against Automation's 512 KB job parameter limit.
$MaxFleetVaults = 2000
# The fleet summary's lists (mappings and machines) are capped over the whole job; the document is cut
# further, least severe entries first, until it fits this budget (Automation's job stream limit is 1 MiB).
$MaxFleetMappingsListed = 1000
$SummaryByteBudget = 786432
$SubscriptionListMax = 1000
$ManagementGroupPattern = '\A[-\w.()]{0,89}[-\w()]\z'
$ResourceGraphApiVersion = '2024-04-01'
$FleetOutcomePrecedence = @('Failed', 'PartiallyFailed', 'TimedOut', 'ReportFailed', 'AgentsNeedAttention', 'Succeeded', 'DryRun', 'NoChange')
$RetryableStatus = @(408, 429, 500, 502, 503, 504)
# The parameters, by name, as Resolve-RunInput reads them (src/input.ps1).
$RunParameterNames = @(
    'VaultResourceId', 'VaultResourceIds', 'DiscoverySubscriptionIds', 'DiscoveryManagementGroupId', 'DiscoveryTag', 'ExcludeVaultResourceIds',
    'MaxParallelVaults', 'MaxRequestsInFlight', 'RequestTimeoutSeconds', 'AutoUpdateAction', 'AutomationAccountArmId', 'Providers',
    'AzureEnvironment', 'ArmEndpoint', 'ApiVersion', 'TimeoutSeconds', 'MaxConcurrency', 'MaxRetries', 'DryRun', 'SkipAgentReport',
    'AgentExpiringWithinDays', 'MaxAgentsListed', 'IngestionEndpoint', 'IngestionRuleId', 'ReportTimeUtc'
)
