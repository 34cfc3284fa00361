# Runs every *.Tests.ps1 here with Pester 5; exits non-zero when a test fails.
param([string[]]$Filter)
$ErrorActionPreference = 'Stop'
Import-Module $env:L2F_PESTER -Force
$Config = New-PesterConfiguration
$Config.Run.Path = $PSScriptRoot
$Config.Run.Exit = $true
$Config.Output.Verbosity = 'Detailed'
$Config.Output.RenderMode = 'Plaintext'
if ($Filter) { $Config.Filter.FullName = $Filter }
Invoke-Pester -Configuration $Config
