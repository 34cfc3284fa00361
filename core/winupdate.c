#include "winupdate.h"

/* The January 2022 cumulative updates: Microsoft's known issue says IPsec
 * connections whose IKE carries a Vendor ID might fail after them, and L2TP and
 * IKE VPN connections with them; the out-of-band updates of 17/18 January fix it.
 *
 * Sources, read 2026-12-02 through the search tool (Microsoft's own pages were not
 * in its store; their titles were):
 *  - the release-note titles of Microsoft's update history (aka.ms/WindowsUpdateHistory,
 *    aka.ms/Windows11UpdateHistory, the Windows Server 2022 update history) as compiled in
 *    github.com/altrhombus/DataForGeeks content/ms/mswin/buildnumbers.json: every build
 *    and UBR below, e.g. "January 17, 2022-KB5010793 (OS Builds 19042.1469, 19043.1469,
 *    and 19044.1469) Out-of-band";
 *  - bleepingcomputer.com "Windows Server 2019 OOB update fixes reboots, Hyper-V, ReFS
 *    bugs" (2022-01-18): the list of fixing KBs per version and KB5010791's notes
 *    naming the Vendor ID / L2TP issue;
 *  - the known issue's text ("IPSEC connections which contain a Vendor ID might fail";
 *    L2TP and IPSEC IKE "might also be affected") as quoted from KB5009543's page.
 * Where they disagree:
 *  - Bleeping Computer lists KB5010793 for Windows 10 20H1 (19041) too; Microsoft's
 *    titles of both KB5009543 and KB5010793 name only 19042, 19043 and 19044 (2004
 *    left servicing in December 2021), so 19041 has no row.
 *  - the fix for 17763 (KB5010791) came a day later than the others, on 18 January.
 * Not in the table: Windows 8.1/Server 2012 R2 (KB5010794), Server 2012 (KB5010797),
 * Windows 7 SP1 (KB5010798) and Server 2008 SP2 (KB5010799) were fixed too, but the
 * UBRs of their January rollups could not be confirmed here. */
static const struct winupdate_break rows[] = {
    /* https://support.microsoft.com/help/5009585 and /help/5010789 */
    {10240, 19177, 19179, "KB5009585", "KB5010789", "Windows 10 1507 (LTSB 2015)", "11 Jan 2022",
     "17 Jan 2022"},
    /* https://support.microsoft.com/help/5009546 and /help/5010790 */
    {14393, 4886, 4889, "KB5009546", "KB5010790", "Windows 10 1607 / Server 2016", "11 Jan 2022",
     "17 Jan 2022"},
    /* https://support.microsoft.com/help/5009557 and /help/5010791 (18 January) */
    {17763, 2452, 2458, "KB5009557", "KB5010791", "Windows 10 1809 / Server 2019", "11 Jan 2022",
     "18 Jan 2022"},
    /* https://support.microsoft.com/help/5009545 and /help/5010792 */
    {18363, 2037, 2039, "KB5009545", "KB5010792", "Windows 10 1909", "11 Jan 2022", "17 Jan 2022"},
    /* https://support.microsoft.com/help/5009543 and /help/5010793: one servicing branch,
     * the same UBRs for 20H2, 21H1 and 21H2, each its own row */
    {19042, 1466, 1469, "KB5009543", "KB5010793", "Windows 10 20H2", "11 Jan 2022", "17 Jan 2022"},
    {19043, 1466, 1469, "KB5009543", "KB5010793", "Windows 10 21H1", "11 Jan 2022", "17 Jan 2022"},
    {19044, 1466, 1469, "KB5009543", "KB5010793", "Windows 10 21H2", "11 Jan 2022", "17 Jan 2022"},
    /* https://support.microsoft.com/help/5009555 and /help/5010796 */
    {20348, 469, 473, "KB5009555", "KB5010796", "Windows Server 2022", "11 Jan 2022",
     "17 Jan 2022"},
    /* https://support.microsoft.com/help/5009566 and /help/5010795 */
    {22000, 434, 438, "KB5009566", "KB5010795", "Windows 11 21H2", "11 Jan 2022", "17 Jan 2022"},
};

const struct winupdate_break *winupdate_rows(size_t *n)
{
    *n = sizeof rows / sizeof rows[0];
    return rows;
}

enum winupdate_state winupdate_judge(unsigned build, unsigned ubr,
                                     const struct winupdate_break **row)
{
    *row = NULL;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].build != build)
            continue;
        *row = &rows[i];
        /* cumulative updates: any later UBR of the branch carries the fix */
        return ubr < rows[i].bad_ubr     ? WINUPDATE_BEFORE
               : ubr < rows[i].fixed_ubr ? WINUPDATE_BROKEN
                                         : WINUPDATE_FIXED;
    }
    return WINUPDATE_UNAFFECTED;
}
