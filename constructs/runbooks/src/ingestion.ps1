# --- Estate rows for Log Analytics (Logs Ingestion API) --------------------------------------------
# One row per machine judged (AsrMobilityAgent_CL) and one per vault (AsrMobilityRun_CL), sent after the
# reconciliation through Invoke-ArmRequest (same retries, Retry-After and deadline) with a token of its own
# for Azure Monitor. Sending never changes what was reconciled; what could not be sent is reported.

$IngestionApiVersion = '2023-01-01'
$AgentStream = 'Custom-AsrMobilityAgent_CL'
$RunStream = 'Custom-AsrMobilityRun_CL'
# The API refuses a call over 1 MB; batches stay under 1,000,000 bytes of JSON (ASCII: one byte a character).
$IngestionMaxBatchBytes = 1000000
$MonitorAudiences = @{ AzureCloud = 'https://monitor.azure.com'; AzureUSGovernment = 'https://monitor.azure.us'; AzureChinaCloud = 'https://monitor.azure.cn' }
# Outcomes an ingestion failure replaces with IngestionFailed; a worse one (Failed, PartiallyFailed, TimedOut,
# ReportFailed) stands, and its message says what was not sent.
$IngestionReplaceableOutcomes = @('Succeeded', 'NoChange', 'DryRun', 'AgentsNeedAttention')

function Get-IngestionSettings {
    <# Validates IngestionEndpoint and IngestionRuleId (both or neither); adds to $Problems; $null when not configured. #>
    param([string] $Endpoint, [string] $RuleId, [string] $Cloud, $Problems)
    $Endpoint = $Endpoint.Trim()
    $RuleId = $RuleId.Trim()
    if (-not $Endpoint -and -not $RuleId) { return $null }
    $count = $Problems.Count
    if (-not $Endpoint) { $Problems.Add("IngestionRuleId '$RuleId' is given without IngestionEndpoint: give both to send rows to Log Analytics, or neither.") }
    if (-not $RuleId) { $Problems.Add("IngestionEndpoint '$Endpoint' is given without IngestionRuleId: give both to send rows to Log Analytics, or neither.") }
    $origin = $null
    $base = $Endpoint.TrimEnd('/')
    if ($Endpoint) {
        if (-not [Uri]::TryCreate($base, [UriKind]::Absolute, [ref] $origin) -or $origin.AbsolutePath -ne '/' -or $origin.Query -or $origin.Fragment -or $origin.UserInfo) {
            $Problems.Add("IngestionEndpoint '$Endpoint' must be an absolute URL with no path, query or user, e.g. https://{dce}.{region}-1.ingest.monitor.azure.com.")
        } elseif (-not ($origin.Scheme -eq 'https' -or ($origin.Scheme -eq 'http' -and (Test-LoopbackHost -HostName $origin.Host)))) {
            $Problems.Add("IngestionEndpoint '$Endpoint' must use https:// (http:// is allowed only for loopback hosts).")
        }
    }
    if ($RuleId -and $RuleId -notmatch '\Adcr-[0-9a-fA-F]{32}\z') { $Problems.Add("IngestionRuleId '$RuleId' must be a data collection rule's immutable id: dcr- followed by 32 hex digits.") }
    if ($Problems.Count -gt $count -or -not $Cloud) { return $null }
    return @{ Base = $base; Origin = $origin; RuleId = $RuleId; Audience = $MonitorAudiences[$Cloud] }
}

function ConvertTo-IngestionTime {
    param([DateTimeOffset] $At)
    return $At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function New-IngestionRows {
    <#
    The night's rows, in the columns of the two tables: every machine of every vault's agent report (the
    full list, not the one capped by MaxAgentsListed) and one row per vault with its counts and outcome.
    #>
    param($Sections, [string] $RunId, [string] $Time)
    $agentRows = [Collections.Generic.List[object]]::new()
    $runRows = [Collections.Generic.List[object]]::new()
    foreach ($section in $Sections) {
        $vaultId = ConvertTo-NormalizedId -Id ([string] $section.vault)
        $report = $section.agents
        $machines = @()
        if ($null -ne $report) { $machines = if ($report.Contains('allMachines')) { @($report.allMachines) } else { @($report.machines) } }
        foreach ($m in $machines) {
            $facts = $m.facts
            $expiry = if ($m.provider -ceq 'A2A') { $facts.agentExpiryDate } elseif ($null -ne $facts.mobilityAgentDetails) { $facts.mobilityAgentDetails.agentVersionExpiryDate } else { $null }
            $at = ConvertTo-UtcInstant $expiry
            $agentRows.Add([ordered]@{
                    TimeGenerated = $Time
                    RunId         = $RunId
                    VaultId       = $vaultId
                    Machine       = [string] $m.name
                    Provider      = [string] $m.provider
                    AgentVersion  = [string] $m.agentVersion
                    ExpiryDate    = $(if ($null -ne $at) { ConvertTo-IngestionTime $at } else { $null })
                    Status        = [string] $m.status
                    Reasons       = (@($m.reasons) -join ',')
                })
        }
        $c = $section.counts
        $runRows.Add([ordered]@{
                TimeGenerated   = $Time
                RunId           = $RunId
                VaultId         = $vaultId
                MappingsListed  = [int] $c.listed
                MappingsChanged = [int] $c.succeeded
                MappingsFailed  = [int] $c.failed
                Outcome         = [string] $section.outcome
                DurationSeconds = [double] $section.durationSeconds
            })
    }
    return @{ $RunStream = $runRows; $AgentStream = $agentRows }
}

function Split-IngestionBatches {
    <#
    JSON arrays of at most $MaxBytes bytes each, rows in order. Non-ASCII characters are escaped, so the
    body is ASCII and its UTF-8 size is its length whatever encoding the runtime sends it in. A row that
    alone is over the limit is returned in Oversize, not sent.
    #>
    param($Rows, [int] $MaxBytes)
    $batches = [Collections.Generic.List[object]]::new()
    $oversize = 0
    $parts = [Collections.Generic.List[string]]::new()
    $size = 2
    foreach ($row in $Rows) {
        $json = ConvertTo-Json -InputObject $row -Compress -Depth 4 -EscapeHandling EscapeNonAscii
        $bytes = [Text.Encoding]::UTF8.GetByteCount($json)
        if ($bytes + 2 -gt $MaxBytes) { $oversize++; continue }
        if ($parts.Count -gt 0 -and $size + 1 + $bytes -gt $MaxBytes) {
            $batches.Add(@{ Body = '[' + ($parts -join ',') + ']'; Rows = $parts.Count })
            $parts.Clear()
            $size = 2
        }
        if ($parts.Count -gt 0) { $size++ }
        $parts.Add($json)
        $size += $bytes
    }
    if ($parts.Count -gt 0) { $batches.Add(@{ Body = '[' + ($parts -join ',') + ']'; Rows = $parts.Count }) }
    return @{ Batches = $batches; Oversize = $oversize }
}

function Send-IngestionRows {
    <#
    Sends the night's rows when ingestion is configured and records what happened in the summary's
    ingestion section; returns the job's outcome and message (IngestionFailed when rows were not all sent
    and nothing worse happened). Never throws: a failure to send is reported, not raised.
    #>
    param($Ctx, $Summary, $Sections, [string] $Outcome, [string] $Message)
    $section = [ordered]@{
        state = 'NotConfigured'; endpoint = $null; ruleId = $null; runId = $null; timeGenerated = $null
        streams = [ordered]@{}; rowsSent = 0; rowsNotSent = 0; failures = @(); outcomeBeforeIngestion = $Outcome; message = 'IngestionEndpoint and IngestionRuleId are not set: nothing was sent to Log Analytics.'
    }
    $Summary.ingestion = $section
    $settings = $Ctx.Ingestion
    try {
        if ($null -eq $settings) { return @{ Outcome = $Outcome; Message = $Message } }
        # One id per job: the Automation job's id when the runtime exposes it, else a new one.
        $runId = [guid]::Empty
        $jobId = $null
        try { $jobId = [string] $PSPrivateMetadata.JobId } catch { $jobId = $null }
        if (-not ($jobId -and [guid]::TryParse($jobId, [ref] $runId))) { $runId = [guid]::NewGuid() }
        $section.endpoint = $settings.Base
        $section.ruleId = $settings.RuleId
        $section.runId = $runId.ToString()
        $section.timeGenerated = ConvertTo-IngestionTime $Ctx.ReportTime
        $rows = New-IngestionRows -Sections $Sections -RunId $section.runId -Time $section.timeGenerated
        # The same retry policy and deadline as the ARM calls, with the token for Azure Monitor (cached for
        # every batch) sent only to the ingestion endpoint.
        $monitor = $Ctx.Clone()
        $monitor.ArmOrigin = $settings.Origin
        $monitor.Audience = $settings.Audience
        $monitor.TokenState = [hashtable]::Synchronized(@{ Token = $null; ExpiresOn = 0 })
        $monitor.WebSessions = [Collections.Concurrent.ConcurrentDictionary[int, Microsoft.PowerShell.Commands.WebRequestSession]]::new()
        $failures = [Collections.Generic.List[object]]::new()
        # The vault rows first: they are few, and say how each vault's night went.
        foreach ($stream in @($RunStream, $AgentStream)) {
            $split = Split-IngestionBatches -Rows $rows[$stream] -MaxBytes $IngestionMaxBatchBytes
            $tally = [ordered]@{ rows = $rows[$stream].Count; rowsSent = 0; rowsNotSent = 0; batches = $split.Batches.Count; batchesFailed = 0 }
            $section.streams[$stream] = $tally
            if ($split.Oversize -gt 0) {
                $tally.rowsNotSent += $split.Oversize
                $failures.Add([ordered]@{ stream = $stream; batch = $null; rows = $split.Oversize; status = $null; errorCode = 'RowTooLarge'; errorMessage = "$($split.Oversize) row(s) are each over $IngestionMaxBatchBytes bytes of JSON."; requestId = $null; attempts = 0 })
            }
            $url = '{0}/dataCollectionRules/{1}/streams/{2}?api-version={3}' -f $settings.Base, $settings.RuleId, $stream, $IngestionApiVersion
            $n = 0
            foreach ($batch in $split.Batches) {
                $n++
                $call = Invoke-ArmRequest -Ctx $monitor -Method Post -Url $url -Body $batch.Body
                $code = if ($null -ne $call.Response) { [int] $call.Response.StatusCode } else { $null }
                if (-not $call.TimedOut -and $null -ne $code -and $code -ge 200 -and $code -lt 300) {
                    $tally.rowsSent += $batch.Rows
                    continue
                }
                $err = if ($null -ne $call.Error) { $call.Error } else { Get-ArmError -Response $call.Response }
                $rid = if ($null -ne $call.Response) { Get-HeaderValue -Headers $call.Response.Headers -Name 'x-ms-request-id' } else { $null }
                $tally.rowsNotSent += $batch.Rows
                $tally.batchesFailed++
                $failures.Add([ordered]@{ stream = $stream; batch = $n; rows = $batch.Rows; status = $code; errorCode = $err.Code; errorMessage = $err.Message; requestId = $rid; attempts = $call.Attempts })
                Write-Warning "Log Analytics: batch $n of $($split.Batches.Count) ($($batch.Rows) row(s)) to $stream was not sent: $($err.Code): $($err.Message)"
            }
            Write-Verbose "Log Analytics: $($tally.rowsSent) of $($tally.rows) row(s) sent to $stream in $($split.Batches.Count) batch(es)."
            $section.rowsSent += $tally.rowsSent
            $section.rowsNotSent += $tally.rowsNotSent
        }
        $section.failures = @($failures)
        if ($section.rowsNotSent -eq 0) {
            $section.state = 'Sent'
            $section.message = "$($section.rowsSent) row(s) sent to Log Analytics (run $($section.runId))."
            return @{ Outcome = $Outcome; Message = $Message }
        }
        $section.state = 'Failed'
        $first = $failures[0]
        $section.message = "$($section.rowsNotSent) of $($section.rowsSent + $section.rowsNotSent) row(s) were not sent to Log Analytics (first: $($first.stream): $($first.errorCode): $($first.errorMessage)); the reconciliation stands."
    } catch {
        $section.state = 'Failed'
        $section.message = "The rows could not be sent to Log Analytics: $($_.Exception.Message); the reconciliation stands."
        Write-Warning $section.message
    } finally {
        foreach ($s in $Sections) { if ($null -ne $s.agents -and $s.agents.Contains('allMachines')) { $s.agents.Remove('allMachines') } }
    }
    if ($IngestionReplaceableOutcomes -contains $Outcome) {
        return @{ Outcome = 'IngestionFailed'; Message = "$($section.message) Before sending, the outcome was ${Outcome}: $Message" }
    }
    return @{ Outcome = $Outcome; Message = "$Message $($section.message)" }
}
