# The engine process and protocol v1 (docs/ARCHITECTURE.md): start `gitlabcli serve`, send one
# request per line, read messages until the request's terminal message, forward stream messages
# to the calling cmdlet's streams.

# Engines started and not yet closed, so that removing the module closes them all.
$script:OpenEngines = [System.Collections.Generic.List[object]]::new()

# Set only by tests, to run the module against another executable.
$script:EnginePathOverride = $null

function Get-GitlabCliEnginePath {
    if ($script:EnginePathOverride) {
        return $script:EnginePathOverride
    }
    $name = if ($IsWindows) { 'gitlabcli.exe' } else { 'gitlabcli' }
    # .NET rather than Join-Path and Test-Path (below): their module would load on the first
    # call, a good part of a fresh session's first token (docs/PERFORMANCE.md).
    [System.IO.Path]::Combine($script:ModuleRoot, 'bin', (Get-GitlabCliRuntimeId), $name)
}

function Start-GitlabCliEngine {
    # Starts `gitlabcli serve`. A missing executable is a terminating GitlabCli.EngineNotFound.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $path = Get-GitlabCliEnginePath
    if (-not [System.IO.File]::Exists($path)) {
        $message = "The GitlabCli engine was not found at '$path'. Build it with ./build.ps1 at the root of the GitlabCli repository, which stages it there."
        $exception = [System.IO.FileNotFoundException]::new($message, $path)
        $record = [System.Management.Automation.ErrorRecord]::new($exception, 'GitlabCli.EngineNotFound', 'ObjectNotFound', $path)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
        $record.ErrorDetails.RecommendedAction = 'Run ./build.ps1 at the root of the GitlabCli repository, then import the module again.'
        $Cmdlet.ThrowTerminatingError($record)
    }

    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($path)
    $startInfo.ArgumentList.Add('serve')
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardInputEncoding = $utf8
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8

    try {
        $process = [System.Diagnostics.Process]::Start($startInfo)
    } catch {
        $record = New-GitlabCliEngineFailedRecord -Path $path -Reason "could not be started: $($_.Exception.Message)" -Exception $_.Exception
        $Cmdlet.ThrowTerminatingError($record)
    }

    $engine = [pscustomobject]@{
        Path       = $path
        Process    = $process
        Stdin      = $process.StandardInput
        Stdout     = $process.StandardOutput
        # Drained in the background so a chatty stderr can never block the engine.
        StderrTask = $process.StandardError.ReadToEndAsync()
        # Writes requests and reads messages (GitlabCli.Types.cs).
        Channel    = [GitlabCli.EngineChannel]::new($process.StandardInput, $process.StandardOutput)
        Closed     = $false
        # When set, an engine failure is returned as a terminal answer of type 'engine-failed'
        # (with the ErrorRecord in Record) instead of a terminating error, so the caller keeps
        # what was already done (Write-GitlabCliEngineDeath). Not an exception: a caught throw
        # would still land in the cmdlet's -ErrorVariable.
        Catchable  = $false
    }
    $engine.Stdin.AutoFlush = $false
    $script:OpenEngines.Add($engine)
    $engine
}

function Close-GitlabCliEngine {
    # Closes stdin so the engine exits; kills it if it does not within the timeout.
    param(
        [Parameter(Mandatory)] [AllowNull()] $Engine,
        [int] $TimeoutMilliseconds = 5000
    )
    if ($null -eq $Engine -or $Engine.Closed) {
        return
    }
    $Engine.Closed = $true
    [void] $script:OpenEngines.Remove($Engine)
    $process = $Engine.Process
    try {
        $Engine.Channel.CloseInput()
        if (-not $process.WaitForExit($TimeoutMilliseconds)) {
            # Only the engine itself: a clipboard holder it detached must survive.
            try { $process.Kill() } catch { Write-Debug "Killing the engine: $($_.Exception.Message)" }
            [void] $process.WaitForExit(2000)
        }
    } finally {
        $process.Dispose()
    }
}

function Close-AllGitlabCliEngine {
    foreach ($engine in @($script:OpenEngines)) {
        Close-GitlabCliEngine -Engine $engine -TimeoutMilliseconds 1000
    }
}

function Get-GitlabCliEngineStderr {
    # The engine's stderr, once it has exited (it writes there only when it crashes).
    param([Parameter(Mandatory)] $Engine)
    $process = $Engine.Process
    try {
        if (-not $process.HasExited -and -not $process.WaitForExit(2000)) {
            try { $process.Kill() } catch { Write-Debug "Killing the engine: $($_.Exception.Message)" }
            [void] $process.WaitForExit(2000)
        }
        if ($Engine.StderrTask.Wait(2000)) {
            $text = $Engine.StderrTask.Result.Trim()
            if ($text.Length -gt 4000) {
                $text = '…' + $text.Substring($text.Length - 4000)
            }
            return $text
        }
    } catch {
        Write-Debug "Reading the engine's stderr: $($_.Exception.Message)"
    }
    ''
}

function New-GitlabCliEngineFailedRecord {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Reason,
        [string] $Stderr,
        [System.Exception] $Exception
    )
    $message = "The GitlabCli engine ($Path) $Reason"
    if ($Stderr) {
        $message += " Its error output: $Stderr"
    }
    $inner = if ($Exception) { [System.InvalidOperationException]::new($message, $Exception) } else { [System.InvalidOperationException]::new($message) }
    $record = [System.Management.Automation.ErrorRecord]::new($inner, 'GitlabCli.EngineFailed', 'InvalidResult', $Path)
    $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
    $record.ErrorDetails.RecommendedAction = 'Run ./build.ps1 to rebuild the engine; if it keeps failing, report the error output above.'
    $record
}

function Stop-GitlabCliEngineWithFailure {
    # The engine broke the protocol or went away: a terminating GitlabCli.EngineFailed.
    param(
        [Parameter(Mandatory)] $Engine,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [string] $Reason,
        [System.Exception] $Exception
    )
    $stderr = Get-GitlabCliEngineStderr -Engine $Engine
    $exitCode = $null
    try { if ($Engine.Process.HasExited) { $exitCode = $Engine.Process.ExitCode } } catch { $exitCode = $null }
    $Reason = $Reason.TrimEnd('.')
    if ($null -ne $exitCode) {
        $Reason += " (exit code $exitCode)"
    }
    $Reason += '.'
    $record = New-GitlabCliEngineFailedRecord -Path $Engine.Path -Reason $Reason -Stderr $stderr -Exception $Exception
    Close-GitlabCliEngine -Engine $Engine -TimeoutMilliseconds 1000
    if ($Engine.Catchable) {
        return @{ Type = 'engine-failed'; Record = $record }
    }
    $Cmdlet.ThrowTerminatingError($record)
}

function Write-GitlabCliEngineDeath {
    # The engine died while running confirmed records. Each record whose run request was sent
    # and not answered may have taken effect (a token created, rotated or revoked):
    # GitlabCli.OutcomeUnknown, saying how to check. Every record not yet sent gets
    # GitlabCli.EngineFailed, saying so. All are non-terminating, so the objects already output
    # (and assigned, in `$t = ... | New-GitlabPersonalAccessToken`) are kept.
    param(
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $Failure,
        [AllowEmptyCollection()] [object[]] $InFlight = @(),
        [AllowEmptyCollection()] [object[]] $NotRun = @(),
        [ValidateSet('create', 'rotate', 'revoke')] [string] $Operation = 'create'
    )
    $cause = $Failure.Exception.Message
    $maybe, $never = switch ($Operation) {
        'create' { 'The token for {0} may have been created', 'No token was created for {0}' }
        'rotate' { '{0} may have been rotated (the old token revoked, a new one created)', '{0} was not rotated' }
        'revoke' { '{0} may have been revoked', '{0} was not revoked' }
    }
    foreach ($item in $InFlight) {
        $inFlightError = @{
            kind    = 'outcome-unknown'
            message = ($maybe -f $item.Target) + ": the request was sent, then the GitlabCli engine stopped before answering. $cause"
            hint    = 'Check before trying again: list the user''s tokens with Get-GitlabPersonalAccessToken or look at Access tokens in GitLab; revoke a token whose value you do not have, then create it again.'
        }
        $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError $inFlightError -TargetObject $item.InputObject))
    }
    foreach ($item in $NotRun) {
        $message = ($never -f $item.Target) + ": the GitlabCli engine stopped before this record was sent. $cause"
        $exception = [System.InvalidOperationException]::new($message, $Failure.Exception)
        $record = [System.Management.Automation.ErrorRecord]::new($exception, 'GitlabCli.EngineFailed', 'OperationStopped', $item.InputObject)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
        $record.ErrorDetails.RecommendedAction = 'Run the command again for the records that were not sent.'
        $Cmdlet.WriteError($record)
    }
}

function Invoke-GitlabCliEngineRequest {
    # Sends one request and returns its terminal message as @{ Type; Body; Root } where Body is
    # the message as hashtables and Root the raw JsonElement. Stream messages on the way are
    # written to $Cmdlet's verbose, debug, warning and progress streams.
    param(
        [Parameter(Mandatory)] $Engine,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [ValidateSet('plan', 'run')] [string] $Mode,
        [Parameter(Mandatory)] [string] $Command,
        # The params object, already JSON.
        [Parameter(Mandatory)] [string] $ParamsJson,
        # Write-Progress id of the caller's own progress bar, so engine progress nests under it.
        [int] $ParentProgressId = -1
    )
    $id = Send-GitlabCliEngineRequest -Engine $Engine -Cmdlet $Cmdlet -Mode $Mode -Command $Command -ParamsJson $ParamsJson
    if ($id -is [hashtable]) {
        return $id
    }
    Receive-GitlabCliEngineAnswer -Engine $Engine -Cmdlet $Cmdlet -Id $id -ParentProgressId $ParentProgressId
}

function Send-GitlabCliEngineRequest {
    # Writes one request line without waiting for its answer; returns the request's id. The
    # engine answers requests in the order they were sent (docs/ARCHITECTURE.md), so several may
    # be sent before the first answer is read. A plain function (no [Parameter()] attributes):
    # it runs twice per piped record, and advanced binding costs more than its work.
    # $Mode is 'plan' or 'run'; $Command a fixed kebab-case name (no JSON escaping needed);
    # $ParamsJson the params object, already JSON.
    param($Engine, [System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Mode, [string] $Command, [string] $ParamsJson)
    $id = $Engine.Channel.SendRequest($Mode, $Command, $ParamsJson)
    if ($null -eq $id) {
        # With $Engine.Catchable: the 'engine-failed' answer instead of the id.
        return (Stop-GitlabCliEngineWithFailure -Engine $Engine -Cmdlet $Cmdlet -Reason $Engine.Channel.Failure)
    }
    $id
}

function Receive-GitlabCliEngineAnswer {
    # Reads the engine's messages for request $Id up to its terminal message, which it returns
    # as @{ Type; Body; Root } (Body as hashtables, Root the raw JsonElement). Stream messages on
    # the way go to $Cmdlet's verbose, debug, warning and progress streams. $ParentProgressId is
    # the caller's own progress bar, so engine progress nests under it (-1: none). A plain
    # function, like Send-GitlabCliEngineRequest.
    # $First: messages of this request the caller already read (see Read-GitlabCliEngineAnswer).
    param($Engine, [System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Id, [int] $ParentProgressId = -1, $First = $null)
    # Write-Verbose and Write-Debug cost a cmdlet call each even when their stream is off, and
    # the engine sends both for every HTTP request: the channel drops them unless they would show.
    $showVerbose = $VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore'
    $showDebug = $DebugPreference -ne 'SilentlyContinue' -and $DebugPreference -ne 'Ignore'
    while ($true) {
        try {
            # At most 250 ms per call, so Ctrl+C can stop the pipeline while the engine works
            # (e.g. waits out a rate limit).
            if ($null -ne $First) {
                $batch = $First
                $First = $null
            } else {
                $batch = $Engine.Channel.Read($Id, 250, $showVerbose, $showDebug)
            }
        } catch {
            # The channel reports an engine that exited or wrote something unreadable through
            # Failure (below); what lands here is an unexpected I/O failure of the pipe itself.
            return (Stop-GitlabCliEngineWithFailure -Engine $Engine -Cmdlet $Cmdlet -Reason 'could not be read from.' -Exception $_.Exception)
        }
        foreach ($message in $batch) {
            switch ($message.Type) {
                # The cmdlets, not $Cmdlet.WriteVerbose() and friends: they follow the preference
                # variables -Verbose, -Debug and -WarningAction set (the runtime's own WriteDebug
                # would prompt under -Debug).
                'verbose' { Write-Verbose -Message $message.Text; break }
                'debug' { Write-Debug -Message $message.Text; break }
                'warning' { Write-Warning -Message $message.Text; break }
                'progress' {
                    Write-GitlabCliEngineProgress -Body ([GitlabCli.JsonValues]::ToPowerShell($message.Root)) -ParentProgressId $ParentProgressId
                    break
                }
                default {
                    if ($message.IsTerminal) {
                        return $message.ToAnswer()
                    }
                    return (Stop-GitlabCliEngineWithFailure -Engine $Engine -Cmdlet $Cmdlet -Reason "wrote a message of unknown type '$($message.Type)'.")
                }
            }
        }
        if ($null -ne $Engine.Channel.Failure) {
            return (Stop-GitlabCliEngineWithFailure -Engine $Engine -Cmdlet $Cmdlet -Reason $Engine.Channel.Failure)
        }
    }
}

function Write-GitlabCliEngineProgress {
    param(
        [Parameter(Mandatory)] $Body,
        [int] $ParentProgressId = -1
    )
    $activity = [string] $Body['activity']
    $status = [string] $Body['status']
    if (-not $activity) { $activity = 'GitlabCli' }
    if (-not $status) { $status = 'Working' }
    # A stable id per activity, distinct from the caller's own bar (id 1).
    $progress = @{
        Id       = 1000 + (($activity.GetHashCode() -band 0x7fffffff) % 100000)
        Activity = $activity
        Status   = $status
        ParentId = $ParentProgressId
    }
    if ($null -ne $Body['percent']) { $progress.PercentComplete = [int] $Body['percent'] }
    if ($Body['completed']) { $progress.Completed = $true }
    Write-Progress @progress
}

function Get-GitlabCliSite {
    # The configured sites, from the engine's list-sites command. Never returns a token.
    [CmdletBinding()]
    param()
    $engine = Start-GitlabCliEngine -Cmdlet $PSCmdlet
    try {
        $answer = Invoke-GitlabCliEngineRequest -Engine $engine -Cmdlet $PSCmdlet -Mode run -Command 'list-sites' -ParamsJson '{}'
        if ($answer.Type -eq 'result') {
            foreach ($site in @($answer.Body['result']['sites'])) {
                [pscustomobject]@{
                    Url       = [string] $site['url']
                    IsDefault = [bool] $site['is_default']
                    Source    = [string] $site['source']
                    HasToken  = [bool] $site['has_token']
                }
            }
        } else {
            $PSCmdlet.WriteError((New-GitlabCliErrorRecord -EngineError $answer.Body['error'] -TargetObject $null))
        }
    } finally {
        Close-GitlabCliEngine -Engine $engine
    }
}

function Get-GitlabCliSiteCompletion {
    # Completion results for -SiteUrl, one by one. Completion must stay quiet: any failure gives none.
    param([string] $WordToComplete)
    $word = "$WordToComplete".Trim([char] 39, [char] 34)
    try {
        $sites = @(Get-GitlabCliSite -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
    } catch {
        Write-Debug "No -SiteUrl completion: $($_.Exception.Message)"
        return
    }
    foreach ($site in $sites) {
        $url = $site.Url
        $bare = $url -replace '^[a-zA-Z][a-zA-Z0-9+.-]*://', ''
        if ($word -and -not ($url.StartsWith($word, 'OrdinalIgnoreCase') -or $bare.StartsWith($word, 'OrdinalIgnoreCase'))) {
            continue
        }
        $tip = $url + $(if ($site.IsDefault) { ' (default)' } else { '' }) + " from the $($site.Source -replace '-', ' ')"
        $text = if ($url -match '[\s''"`$]') { "'" + ($url -replace "'", "''") + "'" } else { $url }
        [System.Management.Automation.CompletionResult]::new($text, $url, 'ParameterValue', $tip)
    }
}
