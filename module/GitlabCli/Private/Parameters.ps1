# Turning bound parameters into protocol params and error targets.

# Common parameters, left out of the object that stands for a direct call in error records.
$script:CommonParameterNames = [System.Collections.Generic.HashSet[string]]::new(
    [string[]] ([System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters),
    [System.StringComparer]::OrdinalIgnoreCase)

function Get-GitlabCliBoundParameterObject {
    # The parameters of a direct (not piped) call, as the target object of its errors.
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $BoundParameters)
    $properties = [ordered]@{}
    foreach ($key in $BoundParameters.Keys) {
        if (-not $script:CommonParameterNames.Contains($key)) {
            $properties[$key] = $BoundParameters[$key]
        }
    }
    [pscustomobject] $properties
}

function ConvertTo-GitlabCliExpiryText {
    # -ExpiresAt as the engine wants it: what .NET reads as a date in the current culture is sent
    # as yyyy-MM-dd; anything else is sent as typed, and the engine explains what is wrong with it.
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    $date = [datetime]::MinValue
    if ([datetime]::TryParse($Text, [cultureinfo]::CurrentCulture, [System.Globalization.DateTimeStyles]::None, [ref] $date)) {
        return $date.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture)
    }
    $Text
}

function Test-GitlabCliHasProperty {
    # Whether a piped object has any of the named properties (so a parameter bound from it really
    # came from this record, not from an earlier one).
    param([object] $InputObject, [string[]] $Name)
    if ($null -eq $InputObject) { return $false }
    foreach ($each in $Name) {
        if ($null -ne $InputObject.PSObject.Properties[$each]) { return $true }
    }
    $false
}
