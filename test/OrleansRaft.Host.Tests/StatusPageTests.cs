using OrleansRaft.Abstractions;
using OrleansRaft.Host.Tests.Infrastructure;
using PuppeteerSharp;

namespace OrleansRaft.Host.Tests;

/// <summary>The status page in headless Chromium (Debian's <c>chromium</c> package), as an operator sees it.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class StatusPageTests(LocalClusterFixture cluster)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Members = "section.group[data-group='kv'] tr.member";

    [Fact]
    public async Task The_page_shows_every_member_with_its_role_and_follows_a_leader_change()
    {
        var silo = cluster.LiveSilos.First();
        var before = await StatusReader.LeaderAsync(silo.StatusUrl, "kv", g => g.Members.Count(m => m.Role == "follower" && m.Error is null) >= 1);

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            // Root has no user namespace sandbox here; the page is our own.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(silo.StatusUrl);
        await page.WaitForSelectorAsync($"{Members}[data-role='leader']", new WaitForSelectorOptions { Timeout = 30_000 });

        var rows = await page.EvaluateExpressionAsync<string[]>(
            $"[...document.querySelectorAll(\"{Members}\")].map(r => r.dataset.member + ' ' + r.querySelector('.role').textContent)");
        Assert.Equal(3, rows.Length);
        Assert.Equal(["1", "2", "3"], rows.Select(r => r.Split(' ')[0]));
        Assert.Equal([$"{before.Leader} leader"], rows.Where(r => r.EndsWith(" leader", StringComparison.Ordinal)));
        var title = await page.EvaluateExpressionAsync<string>("document.querySelector(\"section.group[data-group='kv'] h2\").textContent");
        Assert.StartsWith("group kv · orleansraft.kv · term ", title, StringComparison.Ordinal);

        var target = before.Members.First(m => m.Role == "follower" && m.Error is null).Id;
        var leader = cluster.Connection.Orleans.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format("kv", before.Leader));
        Assert.True(await leader.TransferLeadershipAsync(target));

        // The page polls every second: the new leader shows up without a reload.
        await page.WaitForSelectorAsync($"{Members}[data-member='{target}'][data-role='leader']", new WaitForSelectorOptions { Timeout = 30_000 });
        var leaders = await page.EvaluateExpressionAsync<string[]>(
            $"[...document.querySelectorAll(\"{Members}[data-role='leader']\")].map(r => r.dataset.member)");
        Assert.Equal([target.ToString()], leaders);
    }
}
