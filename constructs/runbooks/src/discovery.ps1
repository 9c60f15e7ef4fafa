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
        if ($pages -gt 1000) { return @{ Ids = $ids; Pages = $pages; Failure = @('Failed', 'Resource Graph returned more than 1000 pages: stopping.') } }
        $options = [ordered]@{ '$top' = 1000 }
        if ($skipToken) { $options['$skipToken'] = $skipToken }
        $body = [ordered]@{}
        $body[$ScopeName] = @($ScopeValue)
        $body.query = $Query
        $body.options = $options
        $call = Invoke-ArmRequest -Ctx $Ctx -Method Post -Url $url -Body ($body | ConvertTo-Json -Depth 6 -Compress)
        if ($call.TimedOut) { return @{ Ids = $ids; Pages = $pages; Failure = @('TimedOut', "Resource Graph did not answer before the deadline: $($call.Error.Message)") } }
        if ($null -eq $call.Response) { return @{ Ids = $ids; Pages = $pages; Failure = @('Failed', "Resource Graph failed: $($call.Error.Code): $($call.Error.Message)") } }
        $code = [int] $call.Response.StatusCode
        if ($code -ne 200) {
            $err = Get-ArmError -Response $call.Response
            return @{ Ids = $ids; Pages = $pages; Failure = @('Failed', "Resource Graph answered HTTP ${code}: $($err.Code): $($err.Message)") }
        }
        $page = ConvertFrom-ArmBody -Content $call.Response.Content
        if ($null -eq $page -or $null -eq $page.PSObject.Properties['data']) { return @{ Ids = $ids; Pages = $pages; Failure = @('Failed', 'Resource Graph returned a body without data.') } }
        foreach ($row in @($page.data)) { if ($null -ne $row -and $row.id) { $ids.Add([string] $row.id) } }
        $skipToken = if ($null -ne $page.PSObject.Properties['$skipToken']) { [string] $page.'$skipToken' } else { $null }
        if (-not $skipToken) { return @{ Ids = $ids; Pages = $pages; Failure = $null } }
    }
}
