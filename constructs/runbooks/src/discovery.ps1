# --- Discovery: the vaults in scope, through Resource Graph -----------------------------------------

function Get-CanonicalVaultId {
    <# A vault id as Resource Graph returns it, with ARM's casing of the fixed segments. #>
    param([string] $Id)
    if ($Id -match '\A/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.recoveryservices/vaults/([^/]+)/?\z') {
        return "/subscriptions/$($Matches[1])/resourceGroups/$($Matches[2])/providers/Microsoft.RecoveryServices/vaults/$($Matches[3])"
    }
    return $Id
}

function New-VaultQuery {
    <# The Resource Graph query for the Recovery Services vaults, optionally carrying a tag (name compared case-insensitively). #>
    param([string] $TagName, $TagValue)
    $query = "resources | where type =~ 'microsoft.recoveryservices/vaults'"
    if ($TagName) {
        $query += " | mv-expand bagexpansion=array tags | where tostring(tags[0]) =~ '$TagName'"
        if ($null -ne $TagValue) { $query += " and tostring(tags[1]) == '$TagValue'" }
    }
    return "$query | project id | order by id asc"
}

function Find-Vaults {
    <#
    The vaults in one scope (subscriptions or a management group) through Azure Resource Graph, every
    page ($skipToken), with the retry policy and the deadline of the run. Returns @{ Ids; Pages; Failure }.
    #>
    param($Ctx, [string] $ScopeName, $ScopeValue, [string] $Query)
    $url = '{0}/providers/Microsoft.ResourceGraph/resources?api-version={1}' -f $Ctx.ArmBase, $Ctx.ResourceGraphApiVersion
    $ids = [Collections.Generic.List[string]]::new()
    $pages = 0
    $skipToken = $null
    while ($true) {
        $pages++
        if ($pages -gt 1000) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = 'TooManyPages'; Message = 'Resource Graph returned more than 1000 pages: stopping.' } } }
        $options = [ordered]@{ '$top' = 1000 }
        if ($skipToken) { $options['$skipToken'] = $skipToken }
        $body = [ordered]@{}
        $body[$ScopeName] = @($ScopeValue)
        $body.query = $Query
        $body.options = $options
        $call = Invoke-ArmRequest -Ctx $Ctx -Method Post -Url $url -Body ($body | ConvertTo-Json -Depth 6 -Compress)
        if ($call.TimedOut) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = "Resource Graph did not answer before the deadline: $($call.Error.Message)" } } }
        if ($null -eq $call.Response) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = $call.Error.Code; Message = "Resource Graph failed: $($call.Error.Code): $($call.Error.Message)" } } }
        $code = [int] $call.Response.StatusCode
        if ($code -ne 200) {
            $err = Get-ArmError -Response $call.Response
            return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = $err.Code; Message = "Resource Graph answered HTTP ${code}: $($err.Code): $($err.Message)" } }
        }
        $page = ConvertFrom-ArmBody -Content $call.Response.Content
        if ($null -eq $page -or $null -eq $page.PSObject.Properties['data']) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = 'NoData'; Message = 'Resource Graph returned a body without data.' } } }
        foreach ($row in @($page.data)) { if ($null -ne $row -and $row.id) { $ids.Add([string] $row.id) } }
        $skipToken = if ($null -ne $page.PSObject.Properties['$skipToken']) { [string] $page.'$skipToken' } else { $null }
        if (-not $skipToken) { return @{ Ids = $ids; Pages = $pages; Failure = $null } }
    }
}

function Resolve-FleetScope {
    <#
    The fleet's vaults for tonight: the listed ones, with those Resource Graph finds in the discovery scope
    (each night), exclusions removed. Records discovery in the summary. Returns @{ VaultList; DiscoveryFailed }.
    #>
    param($Ctx, [hashtable] $Run, $Summary)
    $vaultList = @($Run.VaultList)
    $discoveryFailed = $false
    if ($Run.Discover) {
        $d = $Summary.discovery
        $query = New-VaultQuery -TagName $Run.DiscoveryTagName -TagValue $Run.DiscoveryTagValue
        $scopes = @()
        if ($Run.DiscoverySubscriptions.Count -gt 0) { $scopes += , @('subscriptions', $Run.DiscoverySubscriptions) }
        if ($d.managementGroup) { $scopes += , @('managementGroups', @($d.managementGroup)) }
        $found = [Collections.Generic.List[string]]::new()
        $d.state = 'Complete'
        foreach ($scope in $scopes) {
            $r = Find-Vaults -Ctx $Ctx -ScopeName $scope[0] -ScopeValue $scope[1] -Query $query
            $d.pages += $r.Pages
            foreach ($id in $r.Ids) { $found.Add((Get-CanonicalVaultId -Id $id)) }
            if ($null -ne $r.Failure) { $d.state = $r.Failure.Outcome; $d.message = $r.Failure.Message; $discoveryFailed = $true; Write-Warning "Discovery: $($r.Failure.Message)"; break }
        }
        $known = @{}
        foreach ($id in $vaultList) { $known[(ConvertTo-NormalizedId -Id $id)] = $true }
        $rejected = 0
        $added = [Collections.Generic.List[string]]::new()
        foreach ($id in ($found | Sort-Object -Unique)) {
            if ($id -notmatch $VaultIdPattern) { $rejected++; Write-Warning "Discovery: Resource Graph returned '$id', which is not a vault id; it is ignored."; continue }
            $key = ConvertTo-NormalizedId -Id $id
            if ($known.ContainsKey($key)) { $d.alreadyListed++; continue }
            $known[$key] = $true
            $added.Add($id)
        }
        $d.found = $added.Count + $d.alreadyListed
        if ($d.state -eq 'Complete') { $d.message = "Resource Graph found $($d.found) vault(s) in $($d.pages) page(s)$(if ($rejected) { "; $rejected id(s) ignored" })." }
        $vaultList = @($vaultList) + @($added)
    }
    if ($Run.Excluded.Count -gt 0) {
        $kept = @($vaultList | Where-Object { -not $Run.Excluded.ContainsKey((ConvertTo-NormalizedId -Id $_)) })
        if ($null -ne $Summary.discovery) { $Summary.discovery.excluded = $vaultList.Count - $kept.Count }
        $vaultList = $kept
    }
    return @{ VaultList = @($vaultList); DiscoveryFailed = $discoveryFailed }
}
