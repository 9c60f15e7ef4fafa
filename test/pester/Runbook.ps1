# Loads the runbook's functions and constants from its sources (constructs/runbooks/src) for the Pester
# tests, without the script's parameters (header.ps1) or its main (main.ps1). Dot-source it in BeforeAll.
$src = Join-Path $PSScriptRoot '..' '..' 'constructs' 'runbooks' 'src'
$RunbookVersion = '0.0.0-test'
$SummarySchemaVersion = 3
$FunctionsBefore = @(Get-ChildItem -Path function: | ForEach-Object { $_.Name })
foreach ($file in @('constants', 'arm-client', 'mappings', 'agent-report', 'ingestion', 'discovery', 'summary', 'input', 'vault', 'engine')) {
    . (Join-Path $src "$file.ps1")
}

function Get-RunbookDefaults {
    <# The parameters' defaults, read from the script's own param block (header.ps1), by name. #>
    $tokens = $null
    $errors = $null
    $ast = [Management.Automation.Language.Parser]::ParseFile((Join-Path $src 'header.ps1'), [ref] $tokens, [ref] $errors)
    $given = @{}
    foreach ($p in $ast.ParamBlock.Parameters) {
        $name = $p.Name.VariablePath.UserPath
        $given[$name] = if ($null -ne $p.DefaultValue) { $p.DefaultValue.SafeGetValue() } elseif ($p.StaticType -eq [switch]) { $false } else { $null }
    }
    return $given
}

function Get-Fixture {
    param([string] $Name)
    return Get-Content -Raw -Path (Join-Path $PSScriptRoot '..' 'fixtures' $Name) | ConvertFrom-Json -Depth 32
}
