# Engine errors as PowerShell ErrorRecords: ErrorId GitlabCli.<Kind>, a category per kind
# (docs/ARCHITECTURE.md, "Error kinds"), the record as target object, the hint as the
# recommended action.

$script:ErrorCategoryByKind = @{
    'unauthorized'     = [System.Management.Automation.ErrorCategory]::AuthenticationError
    'forbidden'        = [System.Management.Automation.ErrorCategory]::PermissionDenied
    'not-found'        = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    'invalid-argument' = [System.Management.Automation.ErrorCategory]::InvalidArgument
    'rate-limited'     = [System.Management.Automation.ErrorCategory]::LimitsExceeded
    'server-error'     = [System.Management.Automation.ErrorCategory]::InvalidResult
    'network'          = [System.Management.Automation.ErrorCategory]::ConnectionError
    'config'           = [System.Management.Automation.ErrorCategory]::InvalidData
    'protocol'         = [System.Management.Automation.ErrorCategory]::ProtocolError
    'clipboard'        = [System.Management.Automation.ErrorCategory]::WriteError
    'outcome-unknown'  = [System.Management.Automation.ErrorCategory]::OperationStopped
}

function ConvertTo-GitlabCliPascalKind {
    # 'not-found' -> 'NotFound'
    param([Parameter(Mandatory)] [string] $Kind)
    (($Kind -split '[-_]') | Where-Object { $_ } | ForEach-Object { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) }) -join ''
}

function New-GitlabCliErrorRecord {
    # An ErrorRecord from an engine `error` payload (as a hashtable).
    param(
        [Parameter(Mandatory)] [System.Collections.IDictionary] $EngineError,
        [AllowNull()] [object] $TargetObject
    )
    $kind = [string] $EngineError['kind']
    if (-not $kind) { $kind = 'protocol' }
    $message = [string] $EngineError['message']
    $gitlabMessage = [string] $EngineError['gitlab_message']
    if ($gitlabMessage -and -not $message.Contains($gitlabMessage)) {
        $message = ("$message GitLab said: $gitlabMessage").Trim()
    }
    if (-not $message) { $message = "The GitlabCli engine reported a $kind error." }

    $exception = [GitlabCli.GitlabCliException]::new($message, $kind)
    if ($null -ne $EngineError['status']) { $exception.Status = [int] $EngineError['status'] }
    if ($gitlabMessage) { $exception.GitlabMessage = $gitlabMessage }
    $hint = [string] $EngineError['hint']
    if ($hint) { $exception.Hint = $hint }
    if ($EngineError['parameter']) { $exception.Parameter = [string] $EngineError['parameter'] }
    if ($null -ne $EngineError['retry_after']) { $exception.RetryAfter = [long] $EngineError['retry_after'] }
    if ($EngineError['caused_by']) { $exception.CausedBy = [string[]] @($EngineError['caused_by']) }

    $category = $script:ErrorCategoryByKind[$kind]
    if ($null -eq $category) { $category = [System.Management.Automation.ErrorCategory]::NotSpecified }
    $errorId = 'GitlabCli.' + (ConvertTo-GitlabCliPascalKind -Kind $kind)

    $record = [System.Management.Automation.ErrorRecord]::new($exception, $errorId, $category, $TargetObject)
    if ($hint) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
        $record.ErrorDetails.RecommendedAction = $hint
    }
    $record
}

function Get-GitlabCliAnswerError {
    # The `error` payload of a terminal message, or a protocol error when the engine answered
    # with a terminal message of the wrong type.
    param([Parameter(Mandatory)] [hashtable] $Answer)
    if ($Answer.Type -eq 'error' -and $Answer.Body['error'] -is [System.Collections.IDictionary]) {
        return $Answer.Body['error']
    }
    @{
        kind    = 'protocol'
        message = "The GitlabCli engine answered with a '$($Answer.Type)' message where another was expected."
    }
}
