# New-GitlabPersonalAccessToken's pipeline: one engine per pipeline (begin), a plan and a
# ShouldProcess per record (process), then the confirmed records run (end). In end, run requests
# are sent ahead of their answers (up to Get-GitlabCliRunWindow of them), so the engine can keep
# several HTTP requests in flight; answers come back in request order.

function Get-GitlabCliRunWindow {
    # How many run requests may be sent before the first of them is answered: twice the
    # engine's concurrency (GITLABCLI_CONCURRENCY, default 8), so its workers never wait for the
    # module. It also bounds what is in flight when the pipeline stops.
    $concurrency = 8
    $text = $env:GITLABCLI_CONCURRENCY
    $parsed = 0
    if ($text -and [int]::TryParse($text.Trim(), [ref] $parsed) -and $parsed -ge 1 -and $parsed -le 64) {
        $concurrency = $parsed
    }
    2 * $concurrency
}

function Start-GitlabCliPatPipeline {
    # begin: starts the engine and remembers which parameters came from the command line.
    param(
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters
    )
    $engine = Start-GitlabCliEngine -Cmdlet $Cmdlet
    [pscustomobject]@{
        Engine           = $engine
        # $PSBoundParameters keeps a pipeline-bound value from an earlier record when a later
        # record lacks the property, so whether UserId is bound for a record is judged from these
        # and the record itself.
        CommandLineBound = @{} + $BoundParameters
        Queue            = [System.Collections.Generic.List[object]]::new()
        CopyToClipboard  = $BoundParameters.ContainsKey('CopyToClipboard') -and $BoundParameters['CopyToClipboard'].IsPresent
    }
}

function Add-GitlabCliPatPlan {
    # process: plans one record, reports a refused record as a non-terminating error, asks
    # ShouldProcess with the plan's target and action, and queues what was confirmed. A plain
    # function with its helpers written inline: it runs once per record, and every script call
    # costs more than the work it would wrap (docs/PERFORMANCE.md).
    param($Pipeline, [System.Management.Automation.PSCmdlet] $Cmdlet, [System.Collections.IDictionary] $BoundParameters, [bool] $ExpectingInput, [object] $InputObject)
    $handled = $false
    try {
        if ($ExpectingInput) {
            $target = $InputObject
            $userBound = $Pipeline.CommandLineBound.ContainsKey('UserId') -or (
                $BoundParameters.ContainsKey('UserId') -and $null -ne $InputObject -and (
                    $null -ne $InputObject.PSObject.Properties['UserId'] -or $null -ne $InputObject.PSObject.Properties['Username']))
        } else {
            $target = Get-GitlabCliBoundParameterObject -BoundParameters $BoundParameters
            $userBound = $BoundParameters.ContainsKey('UserId')
        }

        # The protocol params of the record, from the parameters bound for it. `user` is sent only
        # when UserId was bound (even empty: the engine refuses a blank user rather than guess).
        $params = [ordered]@{}
        if ($userBound) { $params['user'] = [string] $BoundParameters['UserId'] }
        $params['name'] = [string] $BoundParameters['Name']
        $params['scopes'] = [string[]] @($BoundParameters['Scope'])
        if ($BoundParameters.ContainsKey('ExpiresAt')) {
            $params['expires_at'] = ConvertTo-GitlabCliExpiryText -Text ([string] $BoundParameters['ExpiresAt'])
        }
        if ($BoundParameters.ContainsKey('ExpireInMonths')) { $params['expire_in_months'] = [uint32] $BoundParameters['ExpireInMonths'] }
        if ($BoundParameters.ContainsKey('SiteUrl')) { $params['site_url'] = [string] $BoundParameters['SiteUrl'] }
        if ($BoundParameters.ContainsKey('CopyToClipboard') -and $BoundParameters['CopyToClipboard'].IsPresent) {
            $params['copy_to_clipboard'] = $true
        }

        $id = $Pipeline.Engine.Channel.SendRequest('plan', 'create-personal-access-token', [GitlabCli.Records]::ToJson($params))
        if ($null -eq $id) {
            # Nothing was created yet: a terminating GitlabCli.EngineFailed.
            Stop-GitlabCliEngineWithFailure -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Reason $Pipeline.Engine.Channel.Failure
        }
        # The fast path of the end block (below): one terminal message, taken here.
        $batch = $Pipeline.Engine.Channel.Read($id, 250,
            ($VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore'),
            ($DebugPreference -ne 'SilentlyContinue' -and $DebugPreference -ne 'Ignore'))
        if ($batch.Count -eq 1 -and $batch[0].IsTerminal) {
            $answer = $batch[0].ToAnswer()
        } else {
            $answer = Receive-GitlabCliEngineAnswer $Pipeline.Engine $Cmdlet $id -1 $batch
        }

        if ($answer.Type -ne 'plan') {
            $handled = $true
            $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $target))
            return
        }

        $plan = $answer.Body['plan']
        if ($Cmdlet.ShouldProcess([string] $plan['target'], [string] $plan['action'])) {
            $Pipeline.Queue.Add([pscustomobject]@{
                    # The plan's normalised params, verbatim, so the run is what was confirmed.
                    ParamsJson  = $answer.Root.GetProperty('plan').GetProperty('params').GetRawText()
                    Target      = [string] $plan['target']
                    InputObject = $target
                })
        }
        $handled = $true
    } finally {
        # A terminating error (or Ctrl+C) ends the pipeline and end will not run: close here.
        if (-not $handled) {
            Close-GitlabCliEngine -Engine $Pipeline.Engine
        }
    }
}

function Invoke-GitlabCliPatPipeline {
    # end: runs every confirmed record with its plan's params, in order, and closes the engine.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $activity = 'Creating personal access tokens'
    $progressId = 1
    $queue = $Pipeline.Queue
    $count = $queue.Count
    $lastPercent = -1
    # Requests sent and not yet answered.
    $sent = [System.Collections.Generic.Queue[object]]::new()
    try {
        if ($Pipeline.CopyToClipboard -and $count -gt 1) {
            $message = "-CopyToClipboard holds one token, but $count records were confirmed, so no token was created. Leave out -CopyToClipboard to get every token as an object, or create the tokens one at a time."
            $refusal = @{
                kind      = 'invalid-argument'
                message   = $message
                parameter = 'CopyToClipboard'
                hint      = 'Run the command again without -CopyToClipboard.'
            }
            $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError $refusal -TargetObject ([object[]] @($queue.InputObject))))
            return
        }

        # As Receive-GitlabCliEngineAnswer decides, once: whether verbose and debug messages show.
        $showVerbose = $VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore'
        $showDebug = $DebugPreference -ne 'SilentlyContinue' -and $DebugPreference -ne 'Ignore'
        $window = Get-GitlabCliRunWindow
        $next = 0
        $sendFailure = $null
        # An engine that dies now answers 'engine-failed' instead of a terminating error, so the
        # tokens already output are kept and every other record gets its own error.
        $Pipeline.Engine.Catchable = $true
        for ($index = 0; $index -lt $count; $index++) {
            # Keep up to $window requests ahead of the answer being read.
            while ($null -eq $sendFailure -and $next -lt $count -and $sent.Count -lt $window) {
                $id = $Pipeline.Engine.Channel.SendRequest('run', 'create-personal-access-token', $queue[$next].ParamsJson)
                if ($null -eq $id) {
                    # The engine takes no more requests. Answers to those already sent may still
                    # be waiting in its output: read them first (below), then report the rest.
                    $sendFailure = $Pipeline.Engine.Channel.Failure
                } else {
                    $sent.Enqueue($id)
                    $next++
                }
            }
            if ($sent.Count -eq 0) {
                $failure = Stop-GitlabCliEngineWithFailure -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Reason $sendFailure
                Write-GitlabCliEngineDeath -Cmdlet $Cmdlet -Failure $failure.Record -NotRun @(for ($i = $next; $i -lt $count; $i++) { $queue[$i] })
                return
            }
            $item = $queue[$index]
            $parentId = -1
            if ($count -gt 1) {
                # Once per percent (and for the first record): Write-Progress costs more than the
                # rest of a record's work, and a bar cannot show finer steps anyway.
                $percent = [int] [math]::Floor(100 * $index / $count)
                if ($index -eq 0 -or $percent -ne $lastPercent) {
                    Write-Progress -Id $progressId -Activity $activity -Status "$($index + 1) of ${count}: $($item.Target)" -PercentComplete $percent
                    $lastPercent = $percent
                }
                $parentId = $progressId
            }

            # The usual answer is one terminal message and nothing else to show: take it here
            # without a function call (a tenth of a record's cost); anything else goes through
            # Receive-GitlabCliEngineAnswer with what was read.
            $id = $sent.Dequeue()
            $batch = $Pipeline.Engine.Channel.Read($id, 250, $showVerbose, $showDebug)
            if ($batch.Count -eq 1 -and $batch[0].IsTerminal) {
                $answer = $batch[0].ToAnswer()
            } else {
                $answer = Receive-GitlabCliEngineAnswer $Pipeline.Engine $Cmdlet $id $parentId $batch
            }
            if ($answer.Type -eq 'engine-failed') {
                # This record and the others already sent may have created tokens; the rest were
                # never sent (docs/ARCHITECTURE.md).
                Write-GitlabCliEngineDeath -Cmdlet $Cmdlet -Failure $answer.Record `
                    -InFlight @(for ($i = $index; $i -lt $next; $i++) { $queue[$i] }) `
                    -NotRun @(for ($i = $next; $i -lt $count; $i++) { $queue[$i] })
                $sent.Clear()
                return
            }

            if ($answer.Type -ne 'result') {
                $record = New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $item.InputObject
                $written = $false
                try {
                    $Cmdlet.WriteError($record)
                    $written = $true
                } finally {
                    if (-not $written) {
                        # -ErrorAction Stop (or an error preference of Stop): WriteError threw
                        # and the pipeline ends here, but the requests already sent may have
                        # created tokens. Read them all and output those tokens, so no created
                        # token is lost. (A script catch block does not see that exception; a
                        # finally block does run.)
                        Write-GitlabCliInFlightToken -Pipeline $Pipeline -Cmdlet $Cmdlet -Sent $sent -From ($index + 1)
                    }
                }
                continue
            }
            # Write-GitlabCliPatResult, inline: this loop runs once per record.
            $result = $answer.Body['result']
            if ($result['copied_to_clipboard'] -eq $true) {
                Write-GitlabCliPatResult $Cmdlet $answer $item
            } else {
                try {
                    $token = [GitlabCli.Records]::NewPersonalAccessToken($result)
                } catch {
                    # A field the converter cannot read must not lose the token.
                    $token = ConvertTo-GitlabCliTokenOutput $result
                }
                $Cmdlet.WriteObject($token)
            }
        }
    } finally {
        try {
            if ($count -gt 1) {
                Write-Progress -Id $progressId -Activity $activity -Completed
            }
        } catch [System.Management.Automation.PipelineStoppedException] {
            Write-Debug 'The pipeline stopped before the progress bar was completed.'
        } finally {
            # Stopped (Ctrl+C) with answers unread: end the engine at once rather than let it
            # carry out requests still queued, whose tokens nobody would see.
            $timeout = if ($sent.Count -gt 0) { 0 } else { 5000 }
            Close-GitlabCliEngine -Engine $Pipeline.Engine -TimeoutMilliseconds $timeout
        }
    }
}

function Write-GitlabCliPatResult {
    # One created token: to the output, or (when it went to the clipboard) a note to the host.
    # A plain function: it runs once per record.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, $Answer, $Item)
    $result = $Answer.Body['result']
    $token = ConvertTo-GitlabCliTokenOutput $result
    if ($result['copied_to_clipboard'] -eq $true) {
        Write-Host "Copied the new personal access token '$($token.Name)' (id $($token.Id)) for $($Item.Target) to the clipboard. GitLab shows it only this once: paste it where it belongs now."
    } else {
        $Cmdlet.WriteObject($token)
    }
}

function Write-GitlabCliInFlightToken {
    # Reads the answers to every request already sent and outputs the tokens among them. Used
    # when the pipeline is about to stop on an error: those requests were sent, so their tokens
    # exist in GitLab and must reach the user. Their errors are not written (the pipeline is
    # already stopping on the first one); a verbose line names each.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Collections.Generic.Queue[object]] $Sent,
        [Parameter(Mandatory)] [int] $From
    )
    $index = $From
    while ($Sent.Count -gt 0) {
        $item = $Pipeline.Queue[$index]
        $answer = Receive-GitlabCliEngineAnswer -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Id $Sent.Dequeue()
        if ($answer.Type -eq 'engine-failed') {
            # The pipeline is already stopping on an error, so these are warnings, not errors.
            for ($i = $index; $i -lt $index + 1 + $Sent.Count; $i++) {
                Write-Warning "The token for $($Pipeline.Queue[$i].Target) may have been created: the request was sent, then the GitlabCli engine stopped before answering. Check with Get-GitlabPersonalAccessToken before trying again."
            }
            $Sent.Clear()
            return
        }
        if ($answer.Type -eq 'result') {
            Write-GitlabCliPatResult -Cmdlet $Cmdlet -Answer $answer -Item $item
        } else {
            Write-Verbose "Not created, after the error that stopped the pipeline: $($item.Target): $((Get-GitlabCliAnswerError $answer)['message'])"
        }
        $index++
    }
}

function Close-GitlabCliPatPipeline {
    # clean (PowerShell 7.3+): runs however the pipeline ended. After a normal end the engine is
    # already closed and this does nothing.
    param([AllowNull()] $Pipeline)
    if ($null -ne $Pipeline) {
        Close-GitlabCliEngine -Engine $Pipeline.Engine -TimeoutMilliseconds 2000
    }
}
