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

    [Fact]
    public async Task The_page_names_silos_charts_commits_lag_and_leader_changes_and_shows_one_group_on_its_own_page()
    {
        var silo = cluster.LiveSilos.First();
        var before = await StatusReader.LeaderAsync(silo.StatusUrl, "kv", g => g.Members.Count(m => m.Role == "follower" && m.Error is null) >= 1);
        await using var browser = await LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(silo.StatusUrl);
        await page.WaitForSelectorAsync($"{Members}[data-role='leader']", new WaitForSelectorOptions { Timeout = 30_000 });

        // Members name their silo as the silos table does; the address is the cell's tooltip.
        var silos = await page.EvaluateExpressionAsync<string[]>(
            "[...document.querySelectorAll('#silos tbody tr')].map(r => r.querySelector('.name').textContent + '|' + r.dataset.silo)");
        var names = silos.ToDictionary(s => s.Split('|')[1], s => s.Split('|')[0]);
        var cells = await page.EvaluateExpressionAsync<string[]>(
            $"[...document.querySelectorAll(\"{Members} td.silo\")].map(c => c.textContent + '|' + c.title)");
        Assert.Equal(3, cells.Length);
        Assert.All(cells, c => Assert.Equal(names[c.Split('|')[1]], c.Split('|')[0]));
        Assert.All(cells, c => Assert.DoesNotContain(":", c.Split('|')[0], StringComparison.Ordinal));

        // Commits: puts while the page samples show up as commits per second.
        for (var i = 0; i < 20; i++)
        {
            await cluster.Connection.Kv.PutAsync($"chart/{i}", "v");
        }

        await page.WaitForFunctionAsync(
            "() => Number(document.querySelector(\"svg.chart[data-chart='commits']\").dataset.total || '0') > 0",
            new WaitForFunctionOptions { Timeout = 30_000 });
        Assert.True(await page.EvaluateExpressionAsync<int>("document.querySelectorAll(\"svg.chart[data-chart='lag'] polyline\").length") == 1);

        // A leader change shows up in its chart.
        var target = before.Members.First(m => m.Role == "follower" && m.Error is null).Id;
        var leader = cluster.Connection.Orleans.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format("kv", before.Leader));
        Assert.True(await leader.TransferLeadershipAsync(target));
        await page.WaitForFunctionAsync(
            "() => Number(document.querySelector(\"svg.chart[data-chart='leaders']\").dataset.total || '0') >= 1",
            new WaitForFunctionOptions { Timeout = 30_000 });

        // The group's title links to its own page, which shows it alone.
        var href = await page.EvaluateExpressionAsync<string>("document.querySelector(\"section.group[data-group='kv'] h2 a\").getAttribute('href')");
        Assert.Equal("?group=kv", href);
        await page.GoToAsync(silo.StatusUrl + href);
        await page.WaitForSelectorAsync($"{Members}[data-role='leader']", new WaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('section.group').length"));
        Assert.False(await page.EvaluateExpressionAsync<bool>("document.getElementById('all').hidden"));

        await page.GoToAsync(silo.StatusUrl + "?group=no-such-group");
        await page.WaitForFunctionAsync(
            "() => document.getElementById('error').textContent.includes(\"there is no group 'no-such-group'\")",
            new WaitForFunctionOptions { Timeout = 30_000 });
    }

    private static Task<IBrowser> LaunchAsync() => Puppeteer.LaunchAsync(new LaunchOptions
    {
        Headless = true,
        ExecutablePath = Chromium,
        // Root has no user namespace sandbox here; the page is our own.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
}
