# New-GitlabPersonalAccessToken's pipeline: one engine per pipeline (begin), a plan and a
# ShouldProcess per record (process), then the confirmed records run (end).

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

function Test-GitlabCliHasProperty {
    param([AllowNull()] [object] $InputObject, [Parameter(Mandatory)] [string[]] $Name)
    if ($null -eq $InputObject) { return $false }
    foreach ($each in $Name) {
        if ($null -ne $InputObject.PSObject.Properties[$each]) { return $true }
    }
    $false
}

function ConvertTo-GitlabCliPatParams {
    # The protocol params of one record, from the parameters bound for it. `user` is sent only when
    # UserId was bound (even empty: the engine refuses a blank user rather than guess).
    param(
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)] [bool] $UserBound
    )
    $params = [ordered]@{}
    if ($UserBound) { $params['user'] = [string] $BoundParameters['UserId'] }
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
    ConvertTo-Json -InputObject $params -Compress -Depth 4
}

function Add-GitlabCliPatPlan {
    # process: plans one record, reports a refused record as a non-terminating error, asks
    # ShouldProcess with the plan's target and action, and queues what was confirmed.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)] [bool] $ExpectingInput,
        [AllowNull()] [object] $InputObject
    )
    $handled = $false
    try {
        if ($ExpectingInput) {
            $target = $InputObject
            $userBound = $Pipeline.CommandLineBound.ContainsKey('UserId') -or (
                $BoundParameters.ContainsKey('UserId') -and (Test-GitlabCliHasProperty $InputObject 'UserId', 'Username'))
        } else {
            $target = Get-GitlabCliBoundParameterObject -BoundParameters $BoundParameters
            $userBound = $BoundParameters.ContainsKey('UserId')
        }

        $paramsJson = ConvertTo-GitlabCliPatParams -BoundParameters $BoundParameters -UserBound $userBound
        $answer = Invoke-GitlabCliEngineRequest -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Mode plan `
            -Command 'create-personal-access-token' -ParamsJson $paramsJson

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

        for ($index = 0; $index -lt $count; $index++) {
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

            # An engine that dies now answers 'engine-failed' instead of a terminating error.
            $Pipeline.Engine.Catchable = $true
            $answer = Invoke-GitlabCliEngineRequest -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Mode run `
                -Command 'create-personal-access-token' -ParamsJson $item.ParamsJson -ParentProgressId $parentId
            if ($answer.Type -eq 'engine-failed') {
                # Tokens already output stay output; this record and the rest get errors instead
                # of one terminating error that would lose them (docs/ARCHITECTURE.md).
                Write-GitlabCliEngineDeath -Cmdlet $Cmdlet -Failure $answer.Record -InFlight $item -NotRun @(for ($rest = $index + 1; $rest -lt $count; $rest++) { $queue[$rest] })
                return
            }

            if ($answer.Type -ne 'result') {
                $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $item.InputObject))
                continue
            }

            $result = $answer.Body['result']
            $token = ConvertTo-GitlabCliTokenOutput -Result $result
            if ($result['copied_to_clipboard'] -eq $true) {
                Write-Host "Copied the new personal access token '$($token.Name)' (id $($token.Id)) for $($item.Target) to the clipboard. GitLab shows it only this once: paste it where it belongs now."
            } else {
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
            Close-GitlabCliEngine -Engine $Pipeline.Engine
        }
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
