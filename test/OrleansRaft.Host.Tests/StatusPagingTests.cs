using System.Net;
using OrleansRaft.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using PuppeteerSharp;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// The status page and <c>/status.json</c> show one page of groups, with where it lies and links to the pages around
/// it, on the local cluster as a user runs it; groups are created at run time with the launcher's admin token.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class StatusPagingTests(LocalClusterFixture cluster)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Groups = ["st-page-1", "st-page-2", "st-page-3"];

    [Fact]
    public async Task Status_json_and_the_page_show_a_page_of_groups_with_totals_and_next_and_previous_links()
    {
        var token = (await File.ReadAllTextAsync(Path.Combine(cluster.Launcher.DataDir, "admin-token"))).Trim();
        var admin = new RaftGroupAdmin(cluster.Connection.Orleans, token);
        foreach (var group in Groups)
        {
            await admin.CreateKeyValueGroupAsync(group, members: 1);
        }

        try
        {
            var silo = cluster.LiveSilos.First();
            var total = (await admin.ListAsync(limit: 1000)).Total;

            // Nothing sorts between "st-page-" and "st-page-1" but this test's groups.
            var first = await StatusReader.ReadAsync(silo.StatusUrl, "?after=st-page-&limit=2");
            Assert.Equal(["st-page-1", "st-page-2"], first.Groups.Select(g => g.Id));
            Assert.Equal((2, total, 2, "st-page-2"), (first.Page!.Count, first.Page.Total, first.Page.Limit, first.Page.Next));
            var second = await StatusReader.ReadAsync(silo.StatusUrl, "?after=st-page-2&limit=1");
            Assert.Equal(["st-page-3"], second.Groups.Select(g => g.Id));
            Assert.Equal("st-page-1", second.Page!.Previous);
            Assert.Equal(first.Page.Offset + 2, second.Page.Offset);
            var whole = await StatusReader.ReadAsync(silo.StatusUrl);
            Assert.Equal((0, 100, (string?)null), (whole.Page!.Offset, whole.Page.Limit, whole.Page.Previous));
            Assert.Contains(whole.Groups, g => g.Id == "kv");
            Assert.Equal(HttpStatusCode.BadRequest, await StatusReader.StatusCodeAsync(silo.StatusUrl, "?limit=0"));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusReader.StatusCodeAsync(silo.StatusUrl, "?limit=1001"));

            await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                Headless = true,
                ExecutablePath = Chromium,
                // Root has no user namespace sandbox here; the page is our own.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            await using var page = await browser.NewPageAsync();
            await page.GoToAsync(silo.StatusUrl + "?after=st-page-&limit=2");
            await page.WaitForSelectorAsync("section.group[data-group='st-page-2']", new WaitForSelectorOptions { Timeout = 30_000 });
            Assert.Equal(["st-page-1", "st-page-2"], await SectionsAsync(page));
            var range = await page.EvaluateExpressionAsync<string>("document.getElementById('range').textContent");
            Assert.Equal($"groups {first.Page.Offset + 1}–{first.Page.Offset + 2} of {total}", range);

            // Next is a link: following it shows the next page, whose previous link leads back.
            await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#next"));
            await page.WaitForSelectorAsync("section.group[data-group='st-page-3']", new WaitForSelectorOptions { Timeout = 30_000 });
            Assert.Equal("st-page-3", (await SectionsAsync(page))[0]);
            Assert.DoesNotContain("st-page-2", await SectionsAsync(page));
            Assert.False(await page.EvaluateExpressionAsync<bool>("document.getElementById('previous').hidden"));
            await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#previous"));
            await page.WaitForSelectorAsync("section.group[data-group='st-page-1']", new WaitForSelectorOptions { Timeout = 30_000 });
            Assert.Equal(["st-page-1", "st-page-2"], await SectionsAsync(page));
        }
        finally
        {
            foreach (var group in Groups)
            {
                await admin.DeleteAsync(group);
            }
        }
    }

    private static Task<string[]> SectionsAsync(IPage page) =>
        page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('section.group')].map(s => s.dataset.group)");
}
