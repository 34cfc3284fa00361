# The harness itself: the binary the tests drive is there and runs.
Describe 'harness' {
    It 'runs the l2tpfix binary given by CTest' {
        $env:L2F_BIN | Should -Exist
        $Out = & $env:L2F_BIN --version
        $LASTEXITCODE | Should -Be 0
        "$Out" | Should -Match 'l2tpfix'
    }
}
