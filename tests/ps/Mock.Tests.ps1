# The stand-in for Windows' VpnClient module is itself tested: what a script
# is allowed to call under it is exactly what Microsoft documents.
BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'VpnClientMock.psm1') -Force
    $Table = Get-Content (Join-Path $PSScriptRoot 'vpnclient.params') | Where-Object { $_ -notmatch '^\s*(#|$)' }
}

Describe 'VpnClient mock' {
    BeforeEach { Reset-L2fMock; Add-L2fMockVpn 'alice' 'Office VPN' }

    It 'declares every documented cmdlet, each with exactly its documented parameters' {
        $Cmdlets = $Table | ForEach-Object { $_.Split('|')[0] } | Sort-Object -Unique
        $Cmdlets.Count | Should -Be 19
        foreach ($C in $Cmdlets) {
            $Want = @($Table | Where-Object { $_.StartsWith("$C|") -and $_.Split('|')[1] -ne '*' } |
                    ForEach-Object { $_.Split('|')[1] }) | Sort-Object
            $Common = [System.Management.Automation.PSCmdlet]::CommonParameters
            $Have = @((Get-Command $C).Parameters.Keys | Where-Object { $Common -notcontains $_ }) | Sort-Object
            ($Have -join ',') | Should -Be ($Want -join ',') -Because $C
        }
    }
    It 'has no Set-VpnConnectionUsernamePassword: it is a PowerShell Gallery module, not Windows' {
        Get-Command Set-VpnConnectionUsernamePassword -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        { Set-VpnConnectionUsernamePassword -ConnectionName 'Office VPN' } | Should -Throw '*not recognized*'
    }
    It 'fails on a parameter the cmdlet does not have' {
        { Set-VpnConnection -Name 'Office VPN' -LcpExtensions 1 } | Should -Throw '*parameter name*'
        { Get-VpnConnection -Name 'Office VPN' -Force } | Should -Throw '*parameter name*'
    }
    It 'fails on a value the reference does not accept' {
        { Set-VpnConnection -Name 'Office VPN' -AuthenticationMethod MsChapV3 -Force } | Should -Throw '*MsChapV3*'
        { Set-VpnConnection -Name 'Office VPN' -RememberCredential -Force } | Should -Throw
    }
    It 'changes the profile, and records the call' {
        Set-VpnConnection -Name 'Office VPN' -TunnelType L2tp -Force
        (Get-VpnConnection -Name 'Office VPN').TunnelType | Should -Be 'L2tp'
        $L2fMock.Calls[0].Command | Should -Be 'Set-VpnConnection'
        $L2fMock.Calls[0].Args.TunnelType | Should -Be 'L2tp'
    }
    It 'changes nothing under -WhatIf' {
        Set-VpnConnection -Name 'Office VPN' -TunnelType Ikev2 -WhatIf
        (Get-VpnConnection -Name 'Office VPN').TunnelType | Should -Be 'Automatic'
    }
    It 'as SYSTEM, does not see the user''s own phonebook' {
        $L2fMock.Identity = 'System'
        { Get-VpnConnection -Name 'Office VPN' -ErrorAction Stop } | Should -Throw '*cannot be found*'
        { Set-VpnConnection -Name 'Office VPN' -TunnelType L2tp -Force } | Should -Throw '*cannot be found*'
    }
    It 'never hands back a saved key' {
        Set-VpnConnection -Name 'Office VPN' -L2tpPsk 'sentinel-key' -Force
        (Get-VpnConnection -Name 'Office VPN' | Out-String) | Should -Not -Match 'sentinel-key'
    }
    It 'answers whoami.exe as Windows does, by context' {
        $L2fMock.Identity = 'System'
        (whoami.exe /user /fo csv /nh) | Should -Match 'S-1-5-18'
        $L2fMock.Identity = 'User'
        (whoami.exe /groups /fo csv /nh) -join "`n" | Should -Match 'S-1-16-8192'
    }
    It 'simulates only HKLM in the registry' {
        { Get-ItemProperty -Path 'HKCU:\Software' } | Should -Throw '*only HKLM*'
    }
}
