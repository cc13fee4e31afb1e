#Requires -Version 7.2
<#
.SYNOPSIS
The GitlabCli benchmark: builds, starts the fake GitLab, measures, prints a table.

.DESCRIPTION
Measures on this machine, against release builds of the engine and the fake GitLab on loopback:
  1. Import-Module time (in a fresh pwsh, median);
  2. cold start: a fresh `pwsh -NoProfile` that imports the module and creates one token, minus a
     bare `pwsh -NoProfile -c exit` (median of -ColdRuns, at least 10 by default);
  3. bulk: -Count records piped into one New-GitlabPersonalAccessToken, in ms per token, on
     loopback and with the fake holding every request -DelayMs (50 by default);
  4. HTTP requests per token from the fake's record: UserId as a username (one username repeated),
     as an id, and no UserId;
  5. the engine's peak RSS (VmHWM) after serving -Count creates;
and, in the same session, the baselines:
  - an Invoke-RestMethod loop sending the same creates, as a PowerShell user would write by hand;
  - bench-floor (bench/floor.rs): one Rust keep-alive connection sending the creates and nothing
    else, the floor.
It also reports the fake's own cost per request (GET /__fake/stats) and the most requests it saw in
flight at once.

Every record names user 42 by id unless said otherwise. One-at-a-time at -DelayMs is measured
with -SerialCount records (the Invoke-RestMethod loop and the floor are one at a time by nature)
and scaled to -Count, which says how long a serial client would take.

-Smoke (used by ./build.ps1 -Test) runs everything once with small counts and fails when a
measurement did not produce what it should (tokens missing, wrong request counts); it never judges
timing.

.EXAMPLE
pwsh bench/run.ps1

.EXAMPLE
pwsh bench/run.ps1 -Count 20 -Smoke
#>
[CmdletBinding()]
param(
    [int] $Count = 1000,
    # Repetitions of each bulk measurement (median reported).
    [int] $Repeat = 3,
    # Fresh pwsh processes for Import-Module and cold start (median reported).
    [int] $ColdRuns = 10,
    # The fake's per-request delay for the "distant GitLab" measurements.
    [int] $DelayMs = 50,
    # Records sent one at a time at -DelayMs by the serial baselines.
    [int] $SerialCount = 100,
    # Small, quick, checks results; writes no report.
    [switch] $Smoke,
    # Where to write the Markdown report (default bench/results/run-<date>.md); none with -Smoke.
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ProgressPreference = 'SilentlyContinue'
$root = Split-Path $PSScriptRoot
if ($Smoke) {
    $Repeat = 1
    $ColdRuns = 1
    $SerialCount = [math]::Min($SerialCount, 10)
}

function Write-Step([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

# --- build ----------------------------------------------------------------------------------------
Write-Step 'Building (release): engine, fake GitLab, bench-floor; staging the module'
Push-Location $root
try {
    & cargo build --release --quiet --locked --example fake-gitlab --example bench-floor
    if ($LASTEXITCODE -ne 0) { throw 'cargo build --release --example fake-gitlab --example bench-floor failed.' }
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $root 'build.ps1') | Out-Null
    if ($LASTEXITCODE -ne 0) { throw './build.ps1 failed.' }
} finally {
    Pop-Location
}
$targetDir = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $root) } else { Join-Path $root 'target' }
$exe = if ($IsWindows) { '.exe' } else { '' }
$fakePath = Join-Path $targetDir 'release' 'examples' "fake-gitlab$exe"
$floorPath = Join-Path $targetDir 'release' 'examples' "bench-floor$exe"
$manifest = Join-Path $root 'module' 'GitlabCli' 'GitlabCli.psd1'
$pwsh = Join-Path $PSHOME "pwsh$exe"

# --- helpers --------------------------------------------------------------------------------------
function Start-BenchFake([int] $Delay) {
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($fakePath)
    $startInfo.ArgumentList.Add('--delay-ms')
    $startInfo.ArgumentList.Add([string] $Delay)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
        [void] $startInfo.Environment.Remove($name)
    }
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $info = $process.StandardOutput.ReadLine() | ConvertFrom-Json
    [pscustomobject]@{ Process = $process; Url = ([string] $info.url).TrimEnd('/'); Token = [string] $info.admin_token }
}

function Stop-BenchFake($Fake) {
    if ($Fake) {
        $Fake.Process.StandardInput.Close()
        if (-not $Fake.Process.WaitForExit(5000)) { $Fake.Process.Kill() }
    }
}

function Invoke-Fake($Fake, [string] $Method, [string] $Path) {
    Invoke-RestMethod -Method $Method -Uri "$($Fake.Url)/__fake/$Path" -NoProxy
}

function Use-Fake($Fake) {
    $env:GITLAB_URL = $Fake.Url
    $env:GITLAB_ACCESS_TOKEN = $Fake.Token
}

function Get-Median([double[]] $Samples) {
    $sorted = @($Samples | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

function Measure-Median([scriptblock] $Block, [int] $Times) {
    Get-Median @(foreach ($i in 1..$Times) { (Measure-Command $Block).TotalMilliseconds })
}

function Assert-Smoke([bool] $Condition, [string] $What) {
    if (-not $Condition) { throw "bench: $What" }
}

function New-BenchRecord([int] $N, [string] $User = '42', [string] $Prefix = 'bench') {
    foreach ($i in 1..$N) { [pscustomobject]@{ UserId = $User; Name = "$Prefix $i" } }
}

function Invoke-Bulk($Fake, [object[]] $Records) {
    # Pipes the records into one call; returns @{ Ms; Tokens }.
    Use-Fake $Fake
    $ms = (Measure-Command { $script:bulkOut = @($Records | New-GitlabPersonalAccessToken -Scope api) }).TotalMilliseconds
    $tokens = $script:bulkOut
    $names = @($tokens | ForEach-Object Name)
    Assert-Smoke ($names.Count -eq $Records.Count) "bulk: $($names.Count) tokens for $($Records.Count) records"
    Assert-Smoke ((($names -join "`n") -ceq (($Records | ForEach-Object Name) -join "`n"))) 'bulk: tokens are not in input order'
    $ms
}

function Invoke-ProjectBulk($Fake, [object[]] $Records) {
    # Issue 12: the same records as project access tokens of one project; returns the ms.
    Use-Fake $Fake
    $ms = (Measure-Command { $script:bulkOut = @($Records | New-GitlabProjectAccessToken -Scopes api) }).TotalMilliseconds
    $names = @($script:bulkOut | ForEach-Object Name)
    Assert-Smoke ($names.Count -eq $Records.Count) "project bulk: $($names.Count) tokens for $($Records.Count) records"
    Assert-Smoke ((($names -join "`n") -ceq (($Records | ForEach-Object Name) -join "`n"))) 'project bulk: tokens are not in input order'
    $ms
}

function Invoke-RestMethodLoop($Fake, [int] $N) {
    # What a PowerShell user writes by hand: one Invoke-RestMethod per token, one after another.
    $headers = @{ 'PRIVATE-TOKEN' = $Fake.Token }
    $uri = "$($Fake.Url)/api/v4/users/42/personal_access_tokens"
    $created = 0
    $ms = (Measure-Command {
            foreach ($i in 1..$N) {
                $body = @{ name = "irm $i"; scopes = @('api') } | ConvertTo-Json -Compress
                $token = Invoke-RestMethod -Method Post -Uri $uri -Headers $headers -Body $body -ContentType 'application/json' -NoProxy
                if ($token.token) { $created++ }
            }
        }).TotalMilliseconds
    Assert-Smoke ($created -eq $N) "Invoke-RestMethod loop created $created of $N"
    $ms
}

function Invoke-Floor($Fake, [int] $N) {
    $env:GITLAB_ACCESS_TOKEN = $Fake.Token
    $line = & $floorPath $Fake.Url 42 $N
    if ($LASTEXITCODE -ne 0) { throw "bench-floor failed: $line" }
    $result = $line | ConvertFrom-Json
    Assert-Smoke ($result.created -eq $N) "bench-floor created $($result.created) of $N"
    [double] $result.total_ms
}

function Measure-RequestsPerToken($Fake, [object[]] $Records, [string[]] $Scope = @('api')) {
    Use-Fake $Fake
    [void] (Invoke-Fake $Fake DELETE requests)
    $tokens = @($Records | New-GitlabPersonalAccessToken -Scope $Scope)
    Assert-Smoke ($tokens.Count -eq $Records.Count) "request count run: $($tokens.Count) tokens for $($Records.Count) records"
    $requests = @(Invoke-Fake $Fake GET requests | ForEach-Object { $_ })
    [pscustomobject]@{ Requests = $requests.Count; PerToken = $requests.Count / $Records.Count; Paths = $requests }
}

function Measure-EnginePeakRss($Fake, [int] $N) {
    # Serves N creates, then reads VmHWM from /proc while the engine still waits for input.
    if (-not (Test-Path '/proc/self/status')) { return $null }
    $engine = [GitlabCli.Engine]::DefaultPath
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($engine)
    $startInfo.ArgumentList.Add('serve')
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.Environment['GITLAB_URL'] = $Fake.Url
    $startInfo.Environment['GITLAB_ACCESS_TOKEN'] = $Fake.Token
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $reader = $process.StandardOutput.ReadToEndAsync()
        # The engine reads its input continuously and its output is drained, so this never blocks.
        foreach ($i in 1..$N) {
            $process.StandardInput.WriteLine('{"v":1,"id":"' + $i + '","command":"create-personal-access-token","params":{"user":"42","name":"rss ' + $i + '","scopes":["api"]}}')
        }
        $process.StandardInput.Flush()
        # Wait until the fake has seen every create (N plus one GET /user), then until the last
        # answer is written, and read the peak before closing stdin.
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while ((Invoke-Fake $Fake GET stats).api_requests -lt ($N + 1) -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        Start-Sleep -Milliseconds 200
        $status = Get-Content -Raw "/proc/$($process.Id)/status"
        $kb = if ($status -match '(?m)^VmHWM:\s*(\d+) kB') { [int] $Matches[1] } else { $null }
        $process.StandardInput.Close()
        $results = ([regex]::Matches($reader.Result, '"type":"result"')).Count
        Assert-Smoke ($results -eq $N) "RSS run: $results results for $N creates"
        $kb
    } finally {
        if (-not $process.WaitForExit(5000)) { $process.Kill() }
        $process.Dispose()
    }
}

# --- measure --------------------------------------------------------------------------------------
$saved = @{}
foreach ($name in 'GITLAB_URL', 'GITLAB_ACCESS_TOKEN', 'HOME', 'GITLABCLI_CONCURRENCY') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
$benchHome = Join-Path ([System.IO.Path]::GetTempPath()) "gitlabcli-bench-$PID"
New-Item -ItemType Directory -Force -Path $benchHome | Out-Null
# No config file: the sites come from GITLAB_URL and GITLAB_ACCESS_TOKEN only.
$env:HOME = $benchHome
Remove-Item Env:GITLABCLI_CONCURRENCY -ErrorAction SilentlyContinue

$fake0 = $null
$fake50 = $null
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $What, [string] $Value, [string] $Note = '') {
    $rows.Add([pscustomobject]@{ What = $What; Value = $Value; Note = $Note })
    Write-Host ("    {0,-58} {1,14}  {2}" -f $What, $Value, $Note)
}

try {
    $fake0 = Start-BenchFake 0
    $fake50 = Start-BenchFake $DelayMs
    Import-Module $manifest -Force

    Write-Step "Import-Module and cold start (median of $ColdRuns fresh pwsh processes)"
    $importSamples = foreach ($i in 1..$ColdRuns) {
        [double] (& $pwsh -NoProfile -NonInteractive -Command "`$s = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$manifest'; `$s.Elapsed.TotalMilliseconds")
    }
    $import = Get-Median $importSamples
    # The floor of any module's import on this machine, in the same run: a manifest with nothing in it.
    $emptyDir = Join-Path ([System.IO.Path]::GetTempPath()) "gitlabcli-bench-empty-$PID" 'Empty'
    New-Item -ItemType Directory -Force -Path $emptyDir | Out-Null
    $emptyManifest = Join-Path $emptyDir 'Empty.psd1'
    Set-Content -LiteralPath $emptyManifest -Value "@{ ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())'; FunctionsToExport = @(); CmdletsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }"
    $emptyImport = Get-Median @(foreach ($i in 1..$ColdRuns) {
            [double] (& $pwsh -NoProfile -NonInteractive -Command "`$s = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$emptyManifest'; `$s.Elapsed.TotalMilliseconds")
        })
    Remove-Item -Recurse -Force -LiteralPath (Split-Path $emptyDir) -ErrorAction SilentlyContinue
    Add-Row 'Import-Module (stopwatch inside a fresh pwsh)' ('{0:N1} ms' -f $import) ('{0:N1} ms above an empty manifest ({1:N1} ms)' -f ($import - $emptyImport), $emptyImport)
    Use-Fake $fake0
    $bare = Get-Median @(foreach ($i in 1..$ColdRuns) { (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command 'exit 0' }).TotalMilliseconds })
    $coldScript = "Import-Module '$manifest'; `$t = New-GitlabPersonalAccessToken -UserId 42 -Name cold -Scope api; if (-not `$t.Token) { exit 1 }"
    $cold = Get-Median @(foreach ($i in 1..$ColdRuns) {
            (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command $coldScript }).TotalMilliseconds
            Assert-Smoke ($LASTEXITCODE -eq 0) 'cold start did not create a token'
        })
    Add-Row 'Cold start: import + one token, minus bare pwsh' ('{0:N1} ms' -f ($cold - $bare)) ('bare pwsh {0:N0} ms' -f $bare)

    Write-Step "Bulk on loopback: $Count tokens (median of $Repeat)"
    $records = @(New-BenchRecord $Count)
    [void] (Invoke-Bulk $fake0 @(New-BenchRecord 5 -Prefix warmup))
    [void] (Invoke-Fake $fake0 DELETE requests)
    $self = [System.Diagnostics.Process]::GetCurrentProcess()
    $cpuBefore = $self.TotalProcessorTime.TotalMilliseconds
    $bulk = Measure-Median { $script:lastBulk = Invoke-Bulk $fake0 $records } $Repeat
    $self.Refresh()
    # PowerShell's own CPU (this process; the engine is a child), per record, all runs.
    $bulkCpu = ($self.TotalProcessorTime.TotalMilliseconds - $cpuBefore) / ($Count * $Repeat)
    $fakeCost = (Invoke-Fake $fake0 GET stats).handler_us_per_request
    # The plan phase alone: the same records with -WhatIf, in a runspace without a UI (so the
    # What if lines cost nothing), minus importing the module there.
    $inRunspace = {
        param([string] $Script)
        $shell = [powershell]::Create()
        try {
            [void] $shell.AddScript($Script).AddArgument($manifest).AddArgument($records)
            [void] $shell.Invoke()
            if ($shell.HadErrors) { throw "bench: $($shell.Streams.Error[0])" }
        } finally { $shell.Dispose() }
    }
    $importOnly = Measure-Median { & $inRunspace 'param($m, $r) Import-Module $m' } $Repeat
    $self.Refresh()
    $cpuBefore = $self.TotalProcessorTime.TotalMilliseconds
    $plansAndImport = Measure-Median { & $inRunspace 'param($m, $r) Import-Module $m; $r | New-GitlabPersonalAccessToken -Scope api -WhatIf' } $Repeat
    $self.Refresh()
    $whatIfCpu = ($self.TotalProcessorTime.TotalMilliseconds - $cpuBefore) / ($Count * $Repeat)
    $plans = [math]::Max(0, $plansAndImport - $importOnly)
    $floor = Get-Median @(foreach ($i in 1..$Repeat) { Invoke-Floor $fake0 $Count })
    $irm = Get-Median @(foreach ($i in 1..$Repeat) { Invoke-RestMethodLoop $fake0 $Count })
    Add-Row 'Bulk, loopback: GitlabCli' ('{0:N3} ms/token' -f ($bulk / $Count)) ('{0:N0} ms in all; PowerShell CPU {1:N3} ms/record' -f $bulk, $bulkCpu)
    Add-Row "-WhatIf of $Count records (no UI)" ('{0:N3} ms/record' -f ($plans / $Count)) ('validation round trip + ShouldProcess per record; PowerShell CPU {0:N3} ms/record (import included)' -f $whatIfCpu)
    Add-Row 'Bulk, loopback: floor (Rust, one keep-alive connection)' ('{0:N3} ms/token' -f ($floor / $Count)) ('GitlabCli is {0:N2}x the floor, {1:N3} ms/token above' -f ($bulk / $floor), (($bulk - $floor) / $Count))
    Add-Row 'Bulk, loopback: Invoke-RestMethod loop' ('{0:N3} ms/token' -f ($irm / $Count)) ('GitlabCli is {0:N1}x faster' -f ($irm / $bulk))
    # Issue 12: project access tokens in bulk, against the personal bulk above (same session), on a
    # fake of their own that has seen as many creates as fake0 had (the fake slows as it fills).
    $fakeProject = Start-BenchFake 0
    try {
        Invoke-RestMethod -Method Post -Uri "$($fakeProject.Url)/__fake/projects" -NoProxy -ContentType 'application/json' -Body '{"id":900,"full_path":"bench/project"}' | Out-Null
        $projectRecords = @(foreach ($r in $records) { [pscustomobject]@{ ProjectId = 'bench/project'; Name = $r.Name } })
        [void] (Invoke-ProjectBulk $fakeProject @($projectRecords | Select-Object -First 5))
        $projectBulk = Measure-Median { [void] (Invoke-ProjectBulk $fakeProject $projectRecords) } $Repeat
    } finally {
        Stop-BenchFake $fakeProject
    }
    Add-Row 'Bulk, loopback: GitlabCli, project access tokens' ('{0:N3} ms/token' -f ($projectBulk / $Count)) ('{0:N2}x the personal tokens above' -f ($projectBulk / $bulk))
    Add-Row 'Fake GitLab: its own cost per request' ('{0:N3} ms' -f ($fakeCost / 1000)) 'work and answer, delay excluded'

    Write-Step "Bulk at $DelayMs ms per request: $Count tokens"
    [void] (Invoke-Fake $fake50 DELETE requests)
    $self.Refresh()
    $cpuBefore = $self.TotalProcessorTime.TotalMilliseconds
    $far = Measure-Median { [void] (Invoke-Bulk $fake50 $records) } $Repeat
    $self.Refresh()
    $farCpu = ($self.TotalProcessorTime.TotalMilliseconds - $cpuBefore) / ($Count * $Repeat)
    $stats50 = Invoke-Fake $fake50 GET stats
    $floor50 = (Invoke-Floor $fake50 $SerialCount) / $SerialCount * $Count
    $irm50 = (Invoke-RestMethodLoop $fake50 $SerialCount) / $SerialCount * $Count
    Add-Row "Bulk, $DelayMs ms/request: GitlabCli" ('{0:N2} s' -f ($far / 1000)) ('at most {0} requests in flight; PowerShell CPU {1:N3} ms/record' -f $stats50.max_in_flight, $farCpu)
    Add-Row "Bulk, $DelayMs ms/request: one at a time (floor, scaled)" ('{0:N2} s' -f ($floor50 / 1000)) ('{0} measured, x{1}; GitlabCli is {2:N1}x faster' -f $SerialCount, ($Count / $SerialCount), ($floor50 / $far))
    Add-Row "Bulk, $DelayMs ms/request: Invoke-RestMethod loop (scaled)" ('{0:N2} s' -f ($irm50 / 1000)) ('GitlabCli is {0:N1}x faster' -f ($irm50 / $far))
    Assert-Smoke ($stats50.max_in_flight -gt 1) "at $DelayMs ms the engine never had more than one request in flight"

    Write-Step 'HTTP requests per token (fake record)'
    $n = [math]::Min($Count, 100)
    $byName = Measure-RequestsPerToken $fake0 @(New-BenchRecord $n -User 'jsmith' -Prefix byname)
    $byId = Measure-RequestsPerToken $fake0 @(New-BenchRecord $n -User '42' -Prefix byid)
    $none = Measure-RequestsPerToken $fake0 @(foreach ($i in 1..$n) { [pscustomobject]@{ Name = "mine $i" } })
    Add-Row 'HTTP requests per token: UserId a username (repeated)' ('{0:N2}' -f $byName.PerToken) "$($byName.Requests) for $n tokens"
    Add-Row 'HTTP requests per token: UserId an id' ('{0:N2}' -f $byId.PerToken) "$($byId.Requests) for $n tokens"
    Add-Row 'HTTP requests per token: no UserId' ('{0:N2}' -f $none.PerToken) "$($none.Requests) for $n tokens"
    # GET /user once (admin check), GET /users?username= once, then one POST per token.
    Assert-Smoke ($byName.Requests -eq $n + 2) "UserId as username: $($byName.Requests) requests for $n tokens"
    Assert-Smoke ($byId.Requests -eq $n + 1) "UserId as id: $($byId.Requests) requests for $n tokens"
    Assert-Smoke ($none.Requests -eq $n + 1) "no UserId: $($none.Requests) requests for $n tokens"

    Write-Step 'Engine peak RSS'
    [void] (Invoke-Fake $fake0 DELETE requests)
    $rss = Measure-EnginePeakRss $fake0 $Count
    Add-Row "Engine peak RSS (VmHWM) after $Count creates" $(if ($null -ne $rss) { '{0:N1} MB' -f ($rss / 1024) } else { 'n/a' }) 'gitlabcli serve'
} finally {
    Stop-BenchFake $fake0
    Stop-BenchFake $fake50
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    Remove-Item -Recurse -Force -LiteralPath $benchHome -ErrorAction SilentlyContinue
}

if ($Smoke) {
    Write-Host 'bench: smoke run complete (timings are not judged).'
    return
}

$cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name' | Select-Object -First 1).Line -replace '^model name\s*:\s*', '' } else { '' }
$load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' } else { '' }
$report = @(
    "# GitlabCli benchmark, $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mmZ'))"
    ''
    "Machine: $([Environment]::ProcessorCount) cores $cpu, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription); load average at the end $load. PowerShell $($PSVersionTable.PSVersion). Release builds, loopback. N = $Count, median of $Repeat bulk runs and $ColdRuns fresh processes; engine concurrency $(if ($saved['GITLABCLI_CONCURRENCY']) { $saved['GITLABCLI_CONCURRENCY'] } else { 'default (8)' })."
    ''
    '| What | Value | Note |'
    '|:---|---:|:---|'
    foreach ($row in $rows) { "| $($row.What) | $($row.Value) | $($row.Note) |" }
)
if (-not $ReportPath) {
    $ReportPath = Join-Path $PSScriptRoot 'results' "run-$((Get-Date).ToString('yyyy-MM-dd')).md"
}
New-Item -ItemType Directory -Force -Path (Split-Path $ReportPath) | Out-Null
Set-Content -LiteralPath $ReportPath -Value $report -Encoding utf8NoBOM
Write-Host "bench: wrote $ReportPath"
