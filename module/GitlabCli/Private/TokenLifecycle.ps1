# Get-, Invoke-...Rotation and Revoke-GitlabPersonalAccessToken: one engine per pipeline.
# Get reads page by page and writes each page's tokens as it arrives. Rotate and Revoke plan
# and confirm every record as it comes (process) and carry out the confirmed ones at the end, so
# a listing upstream is complete before anything changes: revoking while Get still pages through
# "-State active" would shift later pages and skip tokens.

function Start-GitlabCliTokenPipeline {
    # begin: the engine, and which parameters came from the command line.
    param(
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters
    )
    [pscustomobject]@{
        Engine           = Start-GitlabCliEngine -Cmdlet $Cmdlet
        CommandLineBound = @{} + $BoundParameters
        Queue            = [System.Collections.Generic.List[object]]::new()
    }
}

function Close-GitlabCliTokenPipeline {
    # clean (7.3+) and the end of every pipeline.
    param([AllowNull()] $Pipeline)
    if ($null -ne $Pipeline) {
        Close-GitlabCliEngine -Engine $Pipeline.Engine -TimeoutMilliseconds 2000
    }
}

function Get-GitlabCliRecordValue {
    # A parameter's value for this record: bound on the command line, or bound from this record.
    # $PSBoundParameters keeps the value an earlier record bound when a later record lacks the
    # property, so a pipeline-bound value counts only when the record has one of the properties.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)] [string] $Name,
        [string[]] $Properties = @(),
        [bool] $ExpectingInput,
        [AllowNull()] [object] $InputObject
    )
    if (-not $BoundParameters.ContainsKey($Name)) { return $null }
    if (-not $ExpectingInput -or $Pipeline.CommandLineBound.ContainsKey($Name)) { return $BoundParameters[$Name] }
    if (Test-GitlabCliHasProperty $InputObject (@($Name) + $Properties)) { return $BoundParameters[$Name] }
    $null
}

function Write-GitlabCliRefusal {
    # A GitlabCli.InvalidArgument error raised by the module itself (nothing was sent).
    param(
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [string] $Message,
        [Parameter(Mandatory)] [string] $Parameter,
        [Parameter(Mandatory)] [string] $Hint,
        [AllowNull()] [object] $TargetObject
    )
    $refusal = @{ kind = 'invalid-argument'; message = $Message; parameter = $Parameter; hint = $Hint }
    $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError $refusal -TargetObject $TargetObject))
}

function Invoke-GitlabCliTokenGet {
    # process of Get-GitlabPersonalAccessToken: one token (by id or self), or the list page by page.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)] [string] $ParameterSetName,
        [bool] $ExpectingInput,
        [AllowNull()] [object] $InputObject
    )
    $engine = $Pipeline.Engine
    $target = if ($ExpectingInput) { $InputObject } else { Get-GitlabCliBoundParameterObject -BoundParameters $BoundParameters }
    $site = $null
    if ($BoundParameters.ContainsKey('SiteUrl')) { $site = [string] $BoundParameters['SiteUrl'] }

    if ($ParameterSetName -ne 'List') {
        $params = [ordered]@{ token_id = if ($ParameterSetName -eq 'Self') { 'self' } else { [string] $BoundParameters['TokenId'] } }
        if ($site) { $params['site_url'] = $site }
        $answer = Invoke-GitlabCliEngineRequest -Engine $engine -Cmdlet $Cmdlet -Mode run -Command 'get-personal-access-token' `
            -ParamsJson (ConvertTo-Json -InputObject $params -Compress)
        if ($answer.Type -eq 'result') {
            $Cmdlet.WriteObject([GitlabCli.Records]::PersonalAccessToken($answer.Body['result']))
        } else {
            $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $target))
        }
        return
    }

    $all = $BoundParameters.ContainsKey('All') -and $BoundParameters['All'].IsPresent
    if ($all -and $BoundParameters.ContainsKey('MaxPages')) {
        Write-GitlabCliRefusal -Cmdlet $Cmdlet -Message "Give either -All or -MaxPages, not both (got -MaxPages $($BoundParameters['MaxPages']))." `
            -Parameter 'MaxPages' -Hint '-All fetches every page; -MaxPages N stops after N pages of 100.' -TargetObject $target
        return
    }
    $maxPages = if ($BoundParameters.ContainsKey('MaxPages')) { [long] $BoundParameters['MaxPages'] } else { 1 }
    if (-not $all -and $maxPages -lt 1) {
        Write-GitlabCliRefusal -Cmdlet $Cmdlet -Message "-MaxPages $maxPages fetches nothing; it must be at least 1." `
            -Parameter 'MaxPages' -Hint 'Use -MaxPages 1 or more, or -All.' -TargetObject $target
        return
    }

    $params = [ordered]@{}
    $user = Get-GitlabCliRecordValue -Pipeline $Pipeline -BoundParameters $BoundParameters -Name 'UserId' `
        -Properties 'Username', 'EmailAddress' -ExpectingInput $ExpectingInput -InputObject $InputObject
    if ($null -ne $user) { $params['user'] = [string] $user }
    if ($BoundParameters.ContainsKey('Mine') -and $BoundParameters['Mine'].IsPresent) { $params['mine'] = $true }
    foreach ($pair in @(
            @('CreatedAfter', 'created_after'), @('CreatedBefore', 'created_before'),
            @('LastUsedAfter', 'last_used_after'), @('LastUsedBefore', 'last_used_before'),
            @('ExpiresAfter', 'expires_after'), @('ExpiresBefore', 'expires_before'))) {
        if ($BoundParameters.ContainsKey($pair[0])) {
            $params[$pair[1]] = ConvertTo-GitlabCliExpiryText -Text ([string] $BoundParameters[$pair[0]])
        }
    }
    if ($BoundParameters.ContainsKey('State')) { $params['state'] = [string] $BoundParameters['State'] }
    if ($BoundParameters.ContainsKey('Revoked')) { $params['revoked'] = [bool] $BoundParameters['Revoked'].IsPresent }
    if ($BoundParameters.ContainsKey('Search')) { $params['search'] = [string] $BoundParameters['Search'] }
    if ($site) { $params['site_url'] = $site }

    $page = 1
    $fetched = 0
    $count = 0
    while ($true) {
        $params['page'] = $page
        $answer = Invoke-GitlabCliEngineRequest -Engine $engine -Cmdlet $Cmdlet -Mode run -Command 'list-personal-access-tokens' `
            -ParamsJson (ConvertTo-Json -InputObject $params -Compress -Depth 4)
        if ($answer.Type -ne 'result') {
            $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $target))
            return
        }
        $result = $answer.Body['result']
        $fetched++
        foreach ($token in @($result['tokens'])) {
            if ($null -eq $token) { continue }
            $count++
            # Each object goes out at once: a pipeline that stops early (Select-Object -First)
            # stops here, and no further page is asked for.
            $Cmdlet.WriteObject([GitlabCli.Records]::PersonalAccessToken($token))
        }
        $next = $result['next_page']
        if ($null -eq $next) { return }
        if (-not $all -and $fetched -ge $maxPages) {
            $pages = if ($fetched -eq 1) { 'the first page' } else { "the first $fetched pages" }
            Write-Warning "More personal access tokens exist than the $count shown ($pages). Use -All to get every one, or -MaxPages to fetch more pages, or narrow the list with filters such as -Search or -State."
            return
        }
        $page = [int] $next
    }
}

function Add-GitlabCliTokenChange {
    # process of Rotate/Revoke: plan one record, ask ShouldProcess with the plan's target and
    # action, and queue what was confirmed. A refused record is a non-terminating error.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [ValidateSet('rotate-personal-access-token', 'revoke-personal-access-token')] [string] $Command,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)] [string] $ParameterSetName,
        [bool] $ExpectingInput,
        [AllowNull()] [object] $InputObject
    )
    $handled = $false
    try {
        $target = if ($ExpectingInput) { $InputObject } else { Get-GitlabCliBoundParameterObject -BoundParameters $BoundParameters }
        $params = [ordered]@{ token_id = if ($ParameterSetName -eq 'Self') { 'self' } else { [string] $BoundParameters['TokenId'] } }
        if ($Command -eq 'rotate-personal-access-token') {
            if ($BoundParameters.ContainsKey('ExpiresAt')) {
                $params['expires_at'] = ConvertTo-GitlabCliExpiryText -Text ([string] $BoundParameters['ExpiresAt'])
            }
            if ($BoundParameters.ContainsKey('ExpireInMonths')) { $params['expire_in_months'] = [uint32] $BoundParameters['ExpireInMonths'] }
            if ($BoundParameters.ContainsKey('CopyToClipboard') -and $BoundParameters['CopyToClipboard'].IsPresent) {
                $params['copy_to_clipboard'] = $true
            }
        }
        $site = Get-GitlabCliRecordValue -Pipeline $Pipeline -BoundParameters $BoundParameters -Name 'SiteUrl' `
            -ExpectingInput $ExpectingInput -InputObject $InputObject
        if ($site) { $params['site_url'] = [string] $site }

        $answer = Invoke-GitlabCliEngineRequest -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Mode plan -Command $Command `
            -ParamsJson (ConvertTo-Json -InputObject $params -Compress)
        if ($answer.Type -ne 'plan') {
            $handled = $true
            $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $target))
            return
        }
        $plan = $answer.Body['plan']
        $shownTarget = [string] $plan['target']
        # A piped token's name makes the prompt readable; the plan itself sends nothing to learn it.
        if ($ExpectingInput -and (Test-GitlabCliHasProperty $InputObject 'Name') -and $InputObject.Name) {
            $shownTarget = "$shownTarget ('$($InputObject.Name)')"
        }
        if ($Cmdlet.ShouldProcess($shownTarget, [string] $plan['action'])) {
            $Pipeline.Queue.Add([pscustomobject]@{
                    ParamsJson  = $answer.Root.GetProperty('plan').GetProperty('params').GetRawText()
                    Target      = $shownTarget
                    InputObject = $target
                })
        }
        $handled = $true
    } finally {
        if (-not $handled) {
            Close-GitlabCliEngine -Engine $Pipeline.Engine
        }
    }
}

function Invoke-GitlabCliTokenChange {
    # end of Rotate/Revoke: run every confirmed record with its plan's params, then close.
    param(
        [Parameter(Mandatory)] $Pipeline,
        [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)] [ValidateSet('rotate-personal-access-token', 'revoke-personal-access-token')] [string] $Command,
        [switch] $PassThru,
        [switch] $CopyToClipboard
    )
    $queue = $Pipeline.Queue
    $count = $queue.Count
    $activity = if ($Command -eq 'rotate-personal-access-token') { 'Rotating personal access tokens' } else { 'Revoking personal access tokens' }
    $progressId = 1
    try {
        if ($CopyToClipboard -and $count -gt 1) {
            Write-GitlabCliRefusal -Cmdlet $Cmdlet -Parameter 'CopyToClipboard' `
                -Message "-CopyToClipboard holds one token, but $count records were confirmed, so no token was rotated. Leave out -CopyToClipboard to get every new token as an object, or rotate the tokens one at a time." `
                -Hint 'Run the command again without -CopyToClipboard.' -TargetObject ([object[]] @($queue.InputObject))
            return
        }
        for ($index = 0; $index -lt $count; $index++) {
            $item = $queue[$index]
            $parentId = -1
            if ($count -gt 1) {
                Write-Progress -Id $progressId -Activity $activity -Status "$($index + 1) of ${count}: $($item.Target)" -PercentComplete ([int] [math]::Floor(100 * $index / $count))
                $parentId = $progressId
            }
            # An engine that dies now answers 'engine-failed' instead of a terminating error, so the
            # new tokens already output are kept and each remaining record gets its own error.
            $Pipeline.Engine.Catchable = $true
            $answer = Invoke-GitlabCliEngineRequest -Engine $Pipeline.Engine -Cmdlet $Cmdlet -Mode run -Command $Command `
                -ParamsJson $item.ParamsJson -ParentProgressId $parentId
            if ($answer.Type -eq 'engine-failed') {
                $operation = if ($Command -eq 'rotate-personal-access-token') { 'rotate' } else { 'revoke' }
                Write-GitlabCliEngineDeath -Cmdlet $Cmdlet -Failure $answer.Record -InFlight $item -Operation $operation `
                    -NotRun @(for ($rest = $index + 1; $rest -lt $count; $rest++) { $queue[$rest] })
                return
            }
            if ($answer.Type -ne 'result') {
                $Cmdlet.WriteError((New-GitlabCliErrorRecord -EngineError (Get-GitlabCliAnswerError $answer) -TargetObject $item.InputObject))
                continue
            }
            $result = $answer.Body['result']
            if ($Command -eq 'revoke-personal-access-token') {
                if ($PassThru) {
                    if ($null -ne $result['revoked_id']) {
                        $Cmdlet.WriteObject([long] $result['revoked_id'])
                    } else {
                        Write-Warning "Revoked $($item.Target), but GitLab did not say its id."
                    }
                }
                continue
            }
            $token = ConvertTo-GitlabCliTokenOutput -Result $result
            if ($result['copied_to_clipboard'] -eq $true) {
                Write-Host "Copied the rotated personal access token '$($token.Name)' (new id $($token.Id)) to the clipboard; the old one no longer works. GitLab shows the new token only this once: paste it where it belongs now."
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
