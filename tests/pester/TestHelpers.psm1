# Helpers for the Pester tests: the module under test, the fake GitLab, an isolated environment
# per test file, and a scripted host for -Confirm.

Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:ManifestPath = Join-Path $script:RepoRoot 'module' 'GitlabCli' 'GitlabCli.psd1'
$script:SavedEnvironment = $null
$script:TestHome = $null

# Every variable the engine or the tests read; saved on entry and restored on exit.
$script:EnvironmentNames = @(
    'HOME', 'USERPROFILE', 'GITLAB_URL', 'GITLAB_ACCESS_TOKEN',
    'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy',
    'DISPLAY', 'WAYLAND_DISPLAY', 'SSL_CERT_FILE', 'GITLABCLI_CONCURRENCY'
)

function Get-RepoRoot { $script:RepoRoot }

function Get-ModuleManifestPath { $script:ManifestPath }

function Get-EnginePath {
    # The engine staged by ./build.ps1, which the tests run (the real one, as users get it).
    if (-not (Get-Module GitlabCli)) { throw 'Import the module first (Import-GitlabCliUnderTest).' }
    [GitlabCli.Engine]::DefaultPath
}

function Import-GitlabCliUnderTest {
    # Imports the module from the repository, with its staged engine.
    Import-Module $script:ManifestPath -Force -Global -ErrorAction Stop
    $engine = Get-EnginePath
    if (-not (Test-Path -LiteralPath $engine)) {
        throw "The engine is not staged at '$engine'. Run ./build.ps1 first."
    }
}

function Set-EngineOverride {
    # Points the imported module at another executable (tests of engine failures); $null resets.
    param([AllowNull()] [string] $Path)
    [GitlabCli.Engine]::PathOverride = $(if ($Path) { $Path } else { $null })
}

function Get-OpenEngineCount {
    # Engines the module started and has not closed yet (in this process).
    [GitlabCli.Engine]::OpenCount
}

function Get-OpenEngineId {
    # Process ids of the engines open now.
    @([GitlabCli.Engine]::OpenProcessIds)
}

function Get-FakeGitlabPath {
    $exe = if ($IsWindows) { 'fake-gitlab.exe' } else { 'fake-gitlab' }
    $target = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $script:RepoRoot) } else { Join-Path $script:RepoRoot 'target' }
    Join-Path $target 'debug' 'examples' $exe
}

function Start-FakeGitlab {
    # Starts the fake GitLab on a free loopback port; it serves until its stdin closes.
    $path = Get-FakeGitlabPath
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The fake GitLab is not built at '$path'. Run 'cargo build --example fake-gitlab' (./build.ps1 -Test does)."
    }
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($path)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
        [void] $startInfo.Environment.Remove($name)
    }
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $stderr = $process.StandardError.ReadToEndAsync()
    $lineTask = $process.StandardOutput.ReadLineAsync()
    if (-not $lineTask.Wait(30000) -or -not $lineTask.Result) {
        try { $process.Kill() } catch { Write-Verbose $_ }
        throw "The fake GitLab did not announce its address. Its error output: $($stderr.Result)"
    }
    $info = $lineTask.Result | ConvertFrom-Json
    $stdout = $process.StandardOutput.ReadToEndAsync()
    [pscustomobject]@{
        Process    = $process
        Url        = ([string] $info.url).TrimEnd('/')
        Port       = [int] $info.port
        ProxyUrl   = [string] $info.proxy_url
        AdminToken = [string] $info.admin_token
        UserToken  = [string] $info.user_token
        # The same fake over HTTPS, its certificate from a CA made at start-up (in no trust store).
        TlsUrl     = [string] $info.tls_url
        TlsCaPem   = [string] $info.tls_ca_pem
        Stdout     = $stdout
        Stderr     = $stderr
    }
}

function Stop-FakeGitlab {
    param([AllowNull()] $Fake)
    if ($null -eq $Fake) { return }
    try { $Fake.Process.StandardInput.Close() } catch { Write-Verbose $_ }
    if (-not $Fake.Process.WaitForExit(10000)) {
        $Fake.Process.Kill()
        [void] $Fake.Process.WaitForExit(5000)
    }
    $Fake.Process.Dispose()
}

function Invoke-Fake {
    # Calls the fake's control API (/__fake/...) or its GitLab API directly.
    param(
        [Parameter(Mandatory)] $Fake,
        [string] $Method = 'GET',
        [Parameter(Mandatory)] [string] $Path,
        $Body,
        [hashtable] $Headers = @{}
    )
    $request = @{
        Method  = $Method
        Uri     = $Fake.Url + $Path
        NoProxy = $true
        Headers = $Headers
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.Body = ConvertTo-Json -InputObject $Body -Depth 10 -Compress
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function Reset-Fake {
    # Back to the fake's initial state (users, tokens, settings, failures) with an empty log.
    param([Parameter(Mandatory)] $Fake)
    Invoke-Fake $Fake -Method POST -Path '/__fake/reset' | Out-Null
    Invoke-Fake $Fake -Method DELETE -Path '/__fake/requests' | Out-Null
}

function Clear-FakeRequest {
    param([Parameter(Mandatory)] $Fake)
    Invoke-Fake $Fake -Method DELETE -Path '/__fake/requests' | Out-Null
}

function Get-FakeRequest {
    # The GitLab API requests the fake received (its control API calls are not logged).
    param([Parameter(Mandatory)] $Fake)
    $answer = Invoke-Fake $Fake -Path '/__fake/requests'
    if ($null -ne $answer -and $answer.PSObject.Properties['requests']) {
        $answer = $answer.requests
    }
    @($answer | Where-Object { $null -ne $_ })
}

function Get-FakeTokenPost {
    # The token-creating requests the fake received, in order.
    param([Parameter(Mandatory)] $Fake)
    @(Get-FakeRequest $Fake | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/personal_access_tokens' })
}

function Add-FakeUser {
    # Creates a user in the fake and returns it (id, username, ...).
    param(
        [Parameter(Mandatory)] $Fake,
        [Parameter(Mandatory)] [string] $Username,
        [switch] $Admin
    )
    Invoke-Fake $Fake -Method POST -Path '/__fake/users' -Body @{ username = $Username; name = $Username; admin = [bool] $Admin }
}

function Get-FakeToken {
    # The personal access tokens the fake has issued, with their values.
    param([Parameter(Mandatory)] $Fake)
    $answer = Invoke-Fake $Fake -Path '/__fake/tokens'
    if ($null -ne $answer -and $answer.PSObject.Properties['tokens']) {
        $answer = $answer.tokens
    }
    @($answer | Where-Object { $null -ne $_ })
}

function Enter-TestEnvironment {
    # Isolates a test file: a temporary HOME (so no real config file is read), GITLAB_URL and
    # GITLAB_ACCESS_TOKEN pointing at the fake, and no proxy variables.
    param(
        [Parameter(Mandatory)] $Fake,
        [string] $AccessToken
    )
    if ($null -eq $script:SavedEnvironment) {
        $script:SavedEnvironment = @{}
        foreach ($name in $script:EnvironmentNames) {
            $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        }
    }
    $script:TestHome = Join-Path ([System.IO.Path]::GetTempPath()) ("gitlabcli-test-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:TestHome | Out-Null
    $env:HOME = $script:TestHome
    if ($IsWindows) { $env:USERPROFILE = $script:TestHome }
    foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy') {
        [Environment]::SetEnvironmentVariable($name, $null)
    }
    $env:GITLAB_URL = $Fake.Url
    $env:GITLAB_ACCESS_TOKEN = if ($AccessToken) { $AccessToken } else { $Fake.AdminToken }
    $script:TestHome
}

function Exit-TestEnvironment {
    if ($null -ne $script:SavedEnvironment) {
        foreach ($name in $script:SavedEnvironment.Keys) {
            [Environment]::SetEnvironmentVariable($name, $script:SavedEnvironment[$name])
        }
        $script:SavedEnvironment = $null
    }
    if ($script:TestHome -and (Test-Path -LiteralPath $script:TestHome)) {
        Remove-Item -LiteralPath $script:TestHome -Recurse -Force -ErrorAction SilentlyContinue
    }
    $script:TestHome = $null
}

function Get-TestConfigPath {
    Join-Path $env:HOME '.config' 'powershell' 'gitlabcli' 'config.yml'
}

function Set-TestConfig {
    # Writes the config file pwsh-gitlab and the engine share. Sites: hashtables with Url,
    # AccessToken, ProxyUrl and IsDefault (written as the string 'true'/'false' when a string).
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Sites)
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('Sites:')
    foreach ($site in $Sites) {
        $first = $true
        foreach ($key in 'Url', 'AccessToken', 'ProxyUrl', 'IsDefault') {
            if (-not $site.ContainsKey($key)) { continue }
            $value = $site[$key]
            $text = if ($value -is [bool]) { $value.ToString().ToLowerInvariant() } else { "'" + ([string] $value -replace "'", "''") + "'" }
            $lines.Add($(if ($first) { '- ' } else { '  ' }) + "${key}: $text")
            $first = $false
        }
    }
    $path = Get-TestConfigPath
    New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
    Set-Content -LiteralPath $path -Value $lines -Encoding utf8NoBOM
    # As a user's config file should be: the engine warns about one that others can read.
    if (-not $IsWindows) { chmod 600 $path }
}

function Remove-TestConfig {
    $path = Get-TestConfigPath
    if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force }
}

function Get-ClosedPort {
    # A loopback port nothing listens on (it was free a moment ago).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = ([System.Net.IPEndPoint] $listener.LocalEndpoint).Port
    $listener.Stop()
    $port
}

function Initialize-ScriptedHost {
    if (-not ('GitlabCliTests.ScriptedHost' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot 'ScriptedHost.cs')
    }
}

function Invoke-InScriptedHost {
    # Runs $Script in a new runspace whose host answers PromptForChoice with $Answers in order
    # (0 Yes, 1 Yes to All, 2 No, 3 No to All) and records prompts, host lines and progress.
    param(
        [Parameter(Mandatory)] [string] $Script,
        [int[]] $Answers = @(),
        [hashtable] $Arguments = @{},
        # Fetched at every prompt; the answer is in each prompt's Observed.
        [string] $ObserveUrl,
        # What the host's Prompt answers to a SecureString field (Read-Host -AsSecureString), in order.
        [string[]] $SecureLines = @()
    )
    Initialize-ScriptedHost
    $scriptedHost = [GitlabCliTests.ScriptedHost]::new()
    if ($ObserveUrl) { $scriptedHost.ScriptedUI.ObserveUrl = $ObserveUrl }
    foreach ($line in $SecureLines) { $scriptedHost.ScriptedUI.SecureLines.Enqueue($line) }
    foreach ($answer in $Answers) { $scriptedHost.ScriptedUI.Answers.Enqueue($answer) }
    $runspace = [runspacefactory]::CreateRunspace($scriptedHost, [initialsessionstate]::CreateDefault2())
    $runspace.Open()
    $shell = [powershell]::Create()
    try {
        $shell.Runspace = $runspace
        [void] $shell.AddScript("param(`$Manifest, `$Arguments) Import-Module `$Manifest -ErrorAction Stop`n$Script")
        [void] $shell.AddArgument($script:ManifestPath)
        [void] $shell.AddArgument($Arguments)
        $output = $shell.Invoke()
        [pscustomobject]@{
            Output      = @($output)
            Errors      = @($shell.Streams.Error)
            Warnings    = @($shell.Streams.Warning)
            Information = @($shell.Streams.Information)
            Progress    = @($shell.Streams.Progress) + @($scriptedHost.ScriptedUI.Progress)
            Prompts     = @($scriptedHost.ScriptedUI.Prompts)
            Lines       = @($scriptedHost.ScriptedUI.Lines)
            Unanswered  = $scriptedHost.ScriptedUI.Answers.Count
        }
    } finally {
        $shell.Dispose()
        $runspace.Dispose()
    }
}

function Stop-PipelineMidRun {
    # Runs $Script (the module imported first, $Arguments after the manifest) in a runspace of its
    # own, waits until $Started says GitLab got its first request (at most 20 s), lets it run
    # 300 ms more and stops it as Ctrl+C does. Returns the pipeline's output, whether the stop
    # ended it, and what $AtStop said right after the stop, before the runspace went away.
    param(
        [Parameter(Mandatory)] [scriptblock] $Script,
        [Parameter(Mandatory)] [scriptblock] $Started,
        [object[]] $Arguments = @(),
        [scriptblock] $AtStop = {},
        [string] $Concurrency
    )
    if ($Concurrency) { $env:GITLABCLI_CONCURRENCY = $Concurrency }
    $ps = [powershell]::Create()
    $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
    try {
        [void] $ps.AddScript($Script).AddArgument($script:ManifestPath)
        foreach ($argument in $Arguments) { [void] $ps.AddArgument($argument) }
        $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while (-not (& $Started) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Start-Sleep -Milliseconds 300
        $ps.Stop()
        [pscustomobject]@{ Output = $output; Completed = $async.IsCompleted; AtStop = (& $AtStop) }
    } finally {
        if ($Concurrency) { Remove-Item Env:GITLABCLI_CONCURRENCY -ErrorAction SilentlyContinue }
        $ps.Dispose()
    }
}

function New-TeeEngine {
    # An executable that runs the real engine and records what it reads and writes, to check real
    # protocol traffic against the schema (Unix only). Each engine process gets its own pair of
    # logs in $Directory: requests-<pid>.jsonl and messages-<pid>.jsonl.
    param(
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string] $RealEngine
    )
    $logs = Join-Path $Directory 'traffic'
    New-Item -ItemType Directory -Force -Path $logs | Out-Null
    $path = Join-Path $Directory 'tee-engine'
    $quote = { param($s) "'" + ($s -replace "'", "'\''") + "'" }
    @(
        '#!/bin/sh'
        "logs=$(& $quote $logs)"
        "tee -a `"`$logs/requests-`$`$.jsonl`" | $(& $quote $RealEngine) `"`$@`" | tee -a `"`$logs/messages-`$`$.jsonl`""
    ) | Set-Content -LiteralPath $path -Encoding utf8NoBOM
    chmod +x $path
    [pscustomobject]@{ Path = $path; Logs = $logs }
}

function Get-TeeTraffic {
    # The recorded traffic, one entry per engine process: Requests and Messages, a line each.
    param([Parameter(Mandatory)] $Tee)
    foreach ($requests in Get-ChildItem -LiteralPath $Tee.Logs -Filter 'requests-*.jsonl' | Sort-Object LastWriteTime) {
        $messages = Join-Path $Tee.Logs ($requests.Name -replace '^requests-', 'messages-')
        [pscustomobject]@{
            Requests = @(Get-Content -LiteralPath $requests.FullName | Where-Object { $_ })
            Messages = @(if (Test-Path -LiteralPath $messages) { Get-Content -LiteralPath $messages | Where-Object { $_ } })
        }
    }
}

Export-ModuleMember -Function *
