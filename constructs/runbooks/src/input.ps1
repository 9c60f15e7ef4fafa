# --- Input: the parameters, validated and resolved before any network call ---------------------------
# Resolve-RunInput takes the parameters as given (a hashtable by name) and returns what the job runs on
# with Problems, the list of what is wrong (empty when the input is valid): each problem names the
# parameter, its value and the rule.

function Resolve-FleetInput {
    <# The fleet's list, discovery scope, tag and exclusions; adds to $Problems. #>
    param([hashtable] $Given, $Problems, [bool] $Discover)
    $r = @{ VaultList = @(); Excluded = @{}; DiscoverySubscriptions = @(); DiscoveryTagName = $null; DiscoveryTagValue = $null }
    if ($Given.VaultResourceId) { $Problems.Add('VaultResourceId cannot be combined with VaultResourceIds or discovery: give one vault, or a list and/or a discovery scope.') }
    if (-not $Given.VaultResourceIds -and -not $Discover) { $Problems.Add('A fleet needs VaultResourceIds or a discovery scope (DiscoverySubscriptionIds or DiscoveryManagementGroupId); DiscoveryTag and ExcludeVaultResourceIds only narrow one.') }
    $seen = @{}
    if ($Given.VaultResourceIds) {
        $entries = @($Given.VaultResourceIds -split ',')
        $list = [Collections.Generic.List[string]]::new()
        foreach ($entry in $entries) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $Problems.Add("VaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $key = ConvertTo-NormalizedId -Id $id
            if ($seen.ContainsKey($key)) { $Problems.Add("VaultResourceIds names '$id' twice (ids compare case-insensitively)."); continue }
            $seen[$key] = $true
            $list.Add($id)
        }
        $r.VaultList = @($list)
        if ($entries.Count -gt $MaxFleetVaults) { $Problems.Add("VaultResourceIds names $($entries.Count) vaults; one job reconciles at most $MaxFleetVaults.") }
    }
    if ($Given.DiscoverySubscriptionIds) {
        foreach ($entry in ($Given.DiscoverySubscriptionIds -split ',')) {
            $sub = $entry.Trim()
            if ($sub -notmatch "\A$GuidPattern\z") { $Problems.Add("DiscoverySubscriptionIds entry '$sub' must be a subscription id (a GUID)."); continue }
            if ($r.DiscoverySubscriptions -contains $sub.ToLowerInvariant()) { $Problems.Add("DiscoverySubscriptionIds names '$sub' twice."); continue }
            $r.DiscoverySubscriptions += $sub.ToLowerInvariant()
        }
        if ($r.DiscoverySubscriptions.Count -gt $SubscriptionListMax) { $Problems.Add("DiscoverySubscriptionIds names $($r.DiscoverySubscriptions.Count) subscriptions; at most $SubscriptionListMax.") }
    }
    $group = $Given.DiscoveryManagementGroupId
    if ($group -and $group -notmatch $ManagementGroupPattern) {
        $Problems.Add("DiscoveryManagementGroupId '$group' must be a management group id: 1 to 90 letters, digits, '-', '_', '(', ')' or '.', not ending with '.'.")
    }
    if ($Given.DiscoveryTag) { Resolve-DiscoveryTag -Tag $Given.DiscoveryTag -Into $r -Problems $Problems -Discover $Discover }
    if ($Given.ExcludeVaultResourceIds) {
        foreach ($entry in ($Given.ExcludeVaultResourceIds -split ',')) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $Problems.Add("ExcludeVaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $r.Excluded[(ConvertTo-NormalizedId -Id $id)] = $true
        }
    }
    return $r
}

function Resolve-DiscoveryTag {
    <# DiscoveryTag as name=value or name, into $Into.DiscoveryTagName and DiscoveryTagValue; adds to $Problems. #>
    param([string] $Tag, [hashtable] $Into, $Problems, [bool] $Discover)
    $parts = $Tag -split '=', 2
    $name = $parts[0]
    $value = if ($parts.Count -eq 2) { $parts[1] } else { $null }
    $Into.DiscoveryTagName = $name
    $Into.DiscoveryTagValue = $value
    # Tag names follow ARM's rules (at most 512 characters, none of < > % & \ ? /), values at most 256
    # characters; quotes, backslashes and control characters are refused so the Resource Graph query
    # carries them literally.
    $badName = (-not $name) -or $name.Length -gt 512 -or $name -match '[<>%&\\?/''"\p{Cc}]' -or $name -ne $name.Trim()
    $badValue = $null -ne $value -and ($value.Length -gt 256 -or $value -match '[\\''"\p{Cc}]')
    if ($badName) {
        $Problems.Add("DiscoveryTag '$Tag' must be name=value or name: a name of 1 to 512 characters without < > % & \ ? /, quotes, control characters or surrounding spaces.")
    } elseif ($badValue) {
        $Problems.Add("DiscoveryTag '$Tag' has a value that must be at most 256 characters without quotes, backslashes or control characters.")
    }
    if (-not $Discover) { $Problems.Add('DiscoveryTag needs a discovery scope: DiscoverySubscriptionIds or DiscoveryManagementGroupId.') }
}

function Resolve-ArmEndpoint {
    <# The ARM base URL and origin: ArmEndpoint when given (https, or http to a loopback host), else the cloud's. #>
    param([string] $ArmEndpoint, [string] $Cloud, $Problems)
    $base = if ($ArmEndpoint) { $ArmEndpoint.TrimEnd('/') } elseif ($Cloud) { $Clouds[$Cloud].Arm } else { '' }
    $origin = $null
    if ($ArmEndpoint) {
        if (-not [Uri]::TryCreate($base, [UriKind]::Absolute, [ref] $origin) -or ($origin.AbsolutePath -ne '/')) {
            $Problems.Add("ArmEndpoint '$ArmEndpoint' must be an absolute URL with no path.")
        } elseif (-not ($origin.Scheme -eq 'https' -or ($origin.Scheme -eq 'http' -and (Test-LoopbackHost -HostName $origin.Host)))) {
            $Problems.Add("ArmEndpoint '$ArmEndpoint' must use https:// (http:// is allowed only for loopback hosts).")
        }
    } elseif ($base) {
        $origin = [Uri] $base
    }
    return @{ Base = $base; Origin = $origin }
}

function Resolve-NumberInput {
    <# The numeric parameters (given as text) within their ranges; adds to $Problems; returns them by name. #>
    param([hashtable] $Given, $Problems)
    $numbers = @{}
    $ranges = @(@('TimeoutSeconds', 5, 10200), @('MaxConcurrency', 1, 16), @('MaxRetries', 0, 10), @('AgentExpiringWithinDays', 0, 365), @('MaxAgentsListed', 0, 5000), @('MaxParallelVaults', 1, 32), @('MaxRequestsInFlight', 1, 64), @('RequestTimeoutSeconds', 5, 300))
    foreach ($spec in $ranges) {
        $value = $Given[$spec[0]]
        $parsed = 0
        if ([int]::TryParse([string] $value, [ref] $parsed) -and $parsed -ge $spec[1] -and $parsed -le $spec[2]) { $numbers[$spec[0]] = $parsed }
        else { $Problems.Add("$($spec[0]) '$value' must be an integer from $($spec[1]) to $($spec[2]).") }
    }
    return $numbers
}

function Resolve-ReportTime {
    <# ReportTimeUtc (tests only): an ISO 8601 instant with a zone, or a DateTime a job's JSON made of it; default now. #>
    param($Value, $Problems)
    if (($Value -is [DateTime] -and $Value.Kind -ne [DateTimeKind]::Unspecified) -or $Value -is [DateTimeOffset]) { return ConvertTo-UtcInstant $Value }
    if (-not $Value) { return [DateTimeOffset]::UtcNow }
    $text = [string] $Value
    $parsed = [DateTimeOffset]::MinValue
    if ($text -match '\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})\z' -and [DateTimeOffset]::TryParse($text, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::None, [ref] $parsed)) {
        return $parsed.ToUniversalTime()
    }
    $Problems.Add("ReportTimeUtc '$text' must be an ISO 8601 date and time with a zone, e.g. 2026-11-30T00:00:00Z.")
    return [DateTimeOffset]::UtcNow
}

function Resolve-RunInput {
    <#
    Every parameter, validated before any network call. $Given holds the parameters by name as the job
    received them. Returns @{ Problems (empty when valid); Fleet; Discover; VaultList; Excluded;
    DiscoverySubscriptions; DiscoveryTagName; DiscoveryTagValue; Action; Providers; Cloud; ArmBase;
    ArmOrigin; Ingestion; Numbers; ReportTime }.
    #>
    param([hashtable] $Given)
    $problems = [Collections.Generic.List[string]]::new()
    $discover = [bool] ($Given.DiscoverySubscriptionIds -or $Given.DiscoveryManagementGroupId)
    $fleet = [bool] ($Given.VaultResourceIds -or $discover -or $Given.DiscoveryTag -or $Given.ExcludeVaultResourceIds)
    $run = @{ Fleet = $fleet; Discover = $discover; VaultList = @(); Excluded = @{}; DiscoverySubscriptions = @(); DiscoveryTagName = $null; DiscoveryTagValue = $null }
    if ($fleet) {
        $f = Resolve-FleetInput -Given $Given -Problems $problems -Discover $discover
        foreach ($k in $f.Keys) { $run[$k] = $f[$k] }
    } elseif ($Given.VaultResourceId -notmatch $VaultIdPattern) { $problems.Add("VaultResourceId '$($Given.VaultResourceId)' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}.") }
    $action = @('Enabled', 'Disabled') | Where-Object { $_ -ieq ([string] $Given.AutoUpdateAction).Trim() } | Select-Object -First 1
    if (-not $action) { $problems.Add("AutoUpdateAction '$($Given.AutoUpdateAction)' must be Enabled or Disabled.") }
    $providerList = @()
    foreach ($p in ([string] $Given.Providers -split ',')) {
        $name = $p.Trim()
        if (-not $name) { continue }
        $known = $KnownProviders | Where-Object { $_ -ieq $name } | Select-Object -First 1
        if ($known) { if ($providerList -notcontains $known) { $providerList += $known } } else { $problems.Add("Providers entry '$name' must be one of A2A, InMageRcm.") }
    }
    if ($providerList.Count -eq 0 -and $problems.Count -eq 0) { $problems.Add("Providers '$($Given.Providers)' must name at least one of A2A, InMageRcm.") }
    $account = [string] $Given.AutomationAccountArmId
    if ($account -and $account -notmatch $AccountIdPattern) { $problems.Add("AutomationAccountArmId '$account' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Automation/automationAccounts/{name}.") }
    if ($action -eq 'Enabled' -and $providerList -contains 'A2A' -and -not $account) { $problems.Add('AutomationAccountArmId is required when AutoUpdateAction is Enabled and Providers includes A2A.') }
    $cloud = $Clouds.Keys | Where-Object { $_ -ieq $Given.AzureEnvironment } | Select-Object -First 1
    if (-not $cloud) { $problems.Add("AzureEnvironment '$($Given.AzureEnvironment)' must be AzureCloud, AzureUSGovernment or AzureChinaCloud.") }
    $arm = Resolve-ArmEndpoint -ArmEndpoint $Given.ArmEndpoint -Cloud $cloud -Problems $problems
    $run.Ingestion = Get-IngestionSettings -Endpoint $Given.IngestionEndpoint -RuleId $Given.IngestionRuleId -Cloud $cloud -Problems $problems
    if ($Given.ApiVersion -notmatch '\A\d{4}-\d{2}-\d{2}(-preview)?\z') { $problems.Add("ApiVersion '$($Given.ApiVersion)' must be yyyy-mm-dd with an optional -preview.") }
    $run.Numbers = Resolve-NumberInput -Given $Given -Problems $problems
    $run.ReportTime = Resolve-ReportTime -Value $Given.ReportTimeUtc -Problems $problems
    $run.Action = $action
    $run.Providers = $providerList
    $run.Cloud = $cloud
    $run.ArmBase = $arm.Base
    $run.ArmOrigin = $arm.Origin
    $run.Problems = @($problems)
    return $run
}
