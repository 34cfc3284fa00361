# script --fix switch-ikev2 [--ca-file CA.pem] (issue 17): the profile switched to
# IKEv2 with EAP-MSCHAPv2, and the server's CA made a trusted root of the machine
# once, recorded, and taken out by -Undo only when this script put it there.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'VpnClientMock.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'L2fTestLib.psm1') -Force
    $Dir = Join-Path $env:L2F_PS_WORK 'ikev2ca'
    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    # a self-signed CA made here by .NET, apart from l2tpfix (which reads it with OpenSSL)
    function New-TestCa([string]$Cn) {
        $Key = [System.Security.Cryptography.ECDsa]::Create()
        $Req = New-Object System.Security.Cryptography.X509Certificates.CertificateRequest ("CN=$Cn", $Key, 'SHA256')
        $Req.CertificateExtensions.Add((New-Object System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension ($true, $false, 0, $true)))
        $Cert = $Req.CreateSelfSigned([DateTimeOffset]::Now.AddDays(-1), [DateTimeOffset]::Now.AddYears(5))
        $Path = Join-Path $Dir (($Cn -replace '\W', '-') + '.pem')
        [IO.File]::WriteAllText($Path, $Cert.ExportCertificatePem())
        [pscustomobject]@{ Path = $Path; Thumbprint = $Cert.Thumbprint }
    }
    $Ca = New-TestCa 'VPN Root CA'
    $Other = New-TestCa 'Some Other Root'
    $Fix = @('script', '--fix', 'switch-ikev2', '--profile', 'Office VPN')
    $WithCa = New-L2fScript ($Fix + @('--ca-file', $Ca.Path)) $Dir
    $NoCa = New-L2fScript $Fix $Dir
    $Imports = { @($L2fMock.Calls | Where-Object { $_.Command -eq 'Import-Certificate' -and $_.Done }) }
    $Record = { Join-Path $env:ProgramData "l2tpfix/backups/switch-ikev2-root-$($Ca.Thumbprint).added" }
    function Get-StateSansBackups($M) { ((Get-L2fState $M) -split "`n" | Where-Object { $_ -notmatch 'l2tpfix.backups' }) -join "`n" }
}

Describe 'script --fix switch-ikev2 --ca-file CA.pem' {
    It 'switches the profile to IKEv2 with EAP-MSCHAPv2 and adds the root once, recorded' {
        $M = Initialize-L2fMachine
        $R = Invoke-L2fScript $WithCa.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        $V = Get-L2fVpn $M
        $V.TunnelType | Should -Be 'Ikev2'
        $V.AuthenticationMethod -join ',' | Should -Be 'Eap'
        Get-L2fEapMethod $V.EapConfigXmlStream | Should -Be '26'
        # New-EapConfiguration without parameters: its default set, EapMsChapv2Auth
        $Eap = @($L2fMock.Calls | Where-Object { $_.Command -eq 'New-EapConfiguration' })
        $Eap.Count | Should -Be 1
        $Eap[0].Args.Count | Should -Be 0
        Get-L2fMockRoots | Should -Be @($Ca.Thumbprint)
        $I = & $Imports
        $I.Count | Should -Be 1
        $I[0].Args.CertStoreLocation | Should -Be 'Cert:\LocalMachine\Root'
        Test-Path -LiteralPath (& $Record) | Should -BeTrue
        $R.Out | Should -Match "(?m)^switch-ikev2: root CA $($Ca.Thumbprint) imported into LocalMachine\\Root"
    }
    It 'a second run adds nothing and changes nothing' {
        $M = Initialize-L2fMachine
        (Invoke-L2fScript $WithCa.Path).Exit | Should -Be 0
        $Before = Get-StateSansBackups $M
        $L2fMock.Calls.Clear()
        $R = Invoke-L2fScript $WithCa.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        $R.Out | Should -Match "(?m)^switch-ikev2: root CA $($Ca.Thumbprint) already trusted"
        $R.Out | Should -Match '(?m)^switch-ikev2: already set'
        (& $Imports).Count | Should -Be 0
        @($L2fMock.Calls | Where-Object { $_.Command -match '^(Set|New)-' }) | Should -BeNullOrEmpty
        Get-StateSansBackups $M | Should -Be $Before
    }
    It '-Undo removes only the root it added and leaves a root that was there before' {
        $M = Initialize-L2fMachine
        Add-L2fMockRoot $Other.Path | Out-Null
        (Invoke-L2fScript $WithCa.Path).Exit | Should -Be 0
        Get-L2fMockRoots | Should -Be @(@($Ca.Thumbprint, $Other.Thumbprint) | Sort-Object)
        $U = Invoke-L2fScript $WithCa.Path @{ Undo = $true }
        $U.Exit | Should -Be 0 -Because $U.Out
        $U.Out | Should -Match "(?m)^switch-ikev2: root CA $($Ca.Thumbprint) removed from LocalMachine\\Root"
        Get-L2fMockRoots | Should -Be @($Other.Thumbprint)
        Test-Path -LiteralPath (& $Record) | Should -BeFalse
        # the profile is left as the fix made it
        (Get-L2fVpn $M).TunnelType | Should -Be 'Ikev2'
        # once more: nothing recorded, nothing removed
        $Again = Invoke-L2fScript $WithCa.Path @{ Undo = $true }
        $Again.Out | Should -Match "(?m)^switch-ikev2: root CA $($Ca.Thumbprint) left: this script did not import it"
        Get-L2fMockRoots | Should -Be @($Other.Thumbprint)
    }
    It 'a root the machine trusted before is neither imported again nor removed by -Undo' {
        $M = Initialize-L2fMachine
        Add-L2fMockRoot $Ca.Path | Out-Null
        $R = Invoke-L2fScript $WithCa.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        (& $Imports).Count | Should -Be 0
        Test-Path -LiteralPath (& $Record) | Should -BeFalse
        $U = Invoke-L2fScript $WithCa.Path @{ Undo = $true }
        $U.Out | Should -Match 'left: this script did not import it'
        Get-L2fMockRoots | Should -Be @($Ca.Thumbprint)
        @($L2fMock.Calls | Where-Object { $_.Command -eq 'Remove-Item' }) | Should -BeNullOrEmpty
    }
    It 'not elevated: the profile is switched, the root is left and counted, and -Undo removes nothing' {
        $M = Initialize-L2fMachine -Identity User
        $R = Invoke-L2fScript $WithCa.Path
        $R.Exit | Should -Be 1 -Because $R.Out
        $R.Out | Should -Match '(?m)^switch-ikev2: not done here: it needs an administrator or SYSTEM'
        (Get-L2fVpn $M).TunnelType | Should -Be 'Ikev2'
        (& $Imports).Count | Should -Be 0
        Get-L2fMockRoots | Should -BeNullOrEmpty
        # an administrator added it; a user's -Undo does not touch it
        $L2fMock.Identity = 'Admin'
        (Invoke-L2fScript $WithCa.Path).Exit | Should -Be 0
        $L2fMock.Identity = 'User'
        $U = Invoke-L2fScript $WithCa.Path @{ Undo = $true }
        $U.Exit | Should -Be 1
        $U.Out | Should -Match '(?m)^switch-ikev2: undo not done here'
        Get-L2fMockRoots | Should -Be @($Ca.Thumbprint)
    }
    It 'as SYSTEM on an all-users profile: both done' {
        $S = New-L2fScript ($Fix + @('--all-users', '--ca-file', $Ca.Path)) $Dir
        $M = Initialize-L2fMachine -AllUsers -Identity System
        $R = Invoke-L2fScript $S.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        Test-L2fFixed 'switch-ikev2' $M | Should -BeTrue
        Get-L2fMockRoots | Should -Be @($Ca.Thumbprint)
    }
    It 'changes nothing under -WhatIf, store included' {
        $M = Initialize-L2fMachine
        $Before = Get-L2fState $M
        $R = Invoke-L2fScript $WithCa.Path -WhatIf
        $R.Exit | Should -Be 0 -Because $R.Out
        Get-L2fState $M | Should -Be $Before
        (& $Imports).Count | Should -Be 0
    }
    It 'refuses a certificate that does not match its thumbprint, importing nothing' {
        $M = Initialize-L2fMachine
        $Bad = Join-Path $Dir 'tampered.ps1'
        [IO.File]::WriteAllText($Bad, ($WithCa.Text -replace "(?m)^\`$CaThumb = '[0-9A-F]{40}'", "`$CaThumb = '$($Other.Thumbprint)'"))
        { Invoke-L2fScript $Bad } | Should -Throw '*does not match its thumbprint*'
        (& $Imports).Count | Should -Be 0
        Get-L2fMockRoots | Should -BeNullOrEmpty
    }
}

Describe 'script --fix switch-ikev2 without --ca-file' {
    It 'sets IKEv2 and EAP-MSCHAPv2, touches no store, has no -Undo' {
        $M = Initialize-L2fMachine
        $R = Invoke-L2fScript $NoCa.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        Test-L2fFixed 'switch-ikev2' $M | Should -BeTrue
        (& $Imports).Count | Should -Be 0
        Get-L2fMockRoots | Should -BeNullOrEmpty
        $NoCa.Text | Should -Not -Match 'Undo|LocalMachine'
    }
    It 'an IKEv2 profile with another EAP method is corrected, not called already set' {
        $M = Initialize-L2fMachine
        (Get-L2fVpn $M).TunnelType = 'Ikev2'
        (Get-L2fVpn $M).EapConfigXmlStream = [xml](New-EapConfiguration -Tls).EapConfigXmlStream
        $L2fMock.Calls.Clear()
        $R = Invoke-L2fScript $NoCa.Path
        $R.Out | Should -Match '(?m)^switch-ikev2: done'
        Get-L2fEapMethod (Get-L2fVpn $M).EapConfigXmlStream | Should -Be '26'
    }
}

Describe 'script --detect / --remediate --fix switch-ikev2 --ca-file' {
    BeforeAll {
        $Detect = New-L2fScript @('script', '--detect', '--fix', 'switch-ikev2', '--profile', 'Office VPN', '--ca-file', $Ca.Path) $Dir
        $Remediate = New-L2fScript @('script', '--remediate', '--fix', 'switch-ikev2', '--profile', 'Office VPN', '--ca-file', $Ca.Path) $Dir
    }
    It 'the detection names the missing root; the remediation adds it; then compliant' {
        $M = Initialize-L2fMachine
        (Get-L2fVpn $M).TunnelType = 'Ikev2'
        (Get-L2fVpn $M).AuthenticationMethod = @('Eap')
        (Get-L2fVpn $M).EapConfigXmlStream = [xml](New-EapConfiguration).EapConfigXmlStream
        $D = Invoke-L2fScript $Detect.Path
        $D.Exit | Should -Be 1 -Because $D.Out
        $D.Out | Should -Match "(?m)^switch-ikev2: needs fixing \(root CA $($Ca.Thumbprint) not in LocalMachine\\Root\)"
        $D.Out | Should -Not -Match 'needs fixing \(TunnelType'
        Get-L2fMockRoots | Should -BeNullOrEmpty
        $R = Invoke-L2fScript $Remediate.Path
        $R.Exit | Should -Be 0 -Because $R.Out
        Get-L2fMockRoots | Should -Be @($Ca.Thumbprint)
        (Invoke-L2fScript $Detect.Path).Exit | Should -Be 0
    }
}
