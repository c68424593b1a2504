using System.Net;
using Dcsd.Service.Security;
using Dcsd.Testing;
using Microsoft.Playwright;
using StackExchange.Redis;
using static Microsoft.Playwright.Assertions;

namespace Dcsd.Service.Tests.Http.WebConsole;

/// <summary>
/// The web console in a real headless Chromium (Debian's package, driven by Playwright) against a real dcsd and real Redis
/// instances: sign in, back up, watch it succeed, restore it, see a single-node backup refused. Screenshots go to
/// TestResults/console/.
/// </summary>
public sealed class ConsoleBrowserTests
{
    private const string InstancePassword = "test-password-1";

    private static readonly string Chromium = Environment.GetEnvironmentVariable("DCS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string Screens = Path.Combine(SharedFiles.RepositoryRoot, "TestResults", "console");

    [Fact]
    public async Task The_console_is_public_but_its_API_calls_are_not()
    {
        await using var server = await DcsdTestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.Client.BaseAddress };

        var page = await anonymous.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/console/console.js")).StatusCode);

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Client.BaseAddress };
        var redirect = await noRedirects.GetAsync("/console");
        Assert.Equal("/console/", redirect.Headers.Location?.AbsolutePath);

        // Only the files: the API behind them still wants a token, and nothing else under /console is answered.
        var api = await anonymous.GetAsync($"/v2/{DcsTestClient.Project}/instances");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("DCS.1003", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var missing = await anonymous.GetAsync("/console/secret.key");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("DCS.4001", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync("/console/index.html", null)).StatusCode);
    }

    [Fact]
    public async Task Sign_in_back_up_watch_it_succeed_restore_it_and_see_a_single_node_refused()
    {
        await using var server = await DcsdTestServer.StartAsync();
        var credential = await DcsdCredentials.CreateAsync(server.DataDirectory, DcsTestClient.Project);
        var ha = await server.CreateRunningInstanceAsync("ha", InstancePassword);
        await server.CreateRunningInstanceAsync("single", InstancePassword);
        await using (var redis = await ConnectAsync(ha))
        {
            var db = redis.GetDatabase();
            await Task.WhenAll(Enumerable.Range(0, 5000).Select(i => db.StringSetAsync($"user:{i}", $"user {i}")));
            await db.HashSetAsync("config", "tier", "gold");
            await db.ListRightPushAsync("queue", ["a", "b"]);
            await redis.GetDatabase(1).SetAddAsync("tags", "x");
        }

        Directory.CreateDirectory(Screens);
        using var profile = new TempDirectory("dcs-chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        // Sign in with the keyboard: the access key field has the focus, Tab to the secret key, Enter submits.
        await page.GotoAsync(new Uri(server.Client.BaseAddress!, "/console").ToString());
        await Expect(page.GetByLabel("Access key (AK)")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(credential.AccessKey);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(credential.SecretKey);
        await page.Keyboard.PressAsync("Enter");

        var instances = page.Locator("#instance-rows");
        await Expect(instances).ToContainTextAsync("t-single");
        await Expect(instances.Locator("tr", new() { HasText = "t-ha" })).ToContainTextAsync("RUNNING");
        Assert.Contains("ha", await instances.Locator("tr", new() { HasText = "t-ha" }).InnerTextAsync(), StringComparison.Ordinal);
        string stored = await page.EvaluateAsync<string>("JSON.stringify(sessionStorage) + JSON.stringify(localStorage) + document.cookie");
        Assert.DoesNotContain(credential.SecretKey, stored, StringComparison.Ordinal);
        Assert.Equal("", await page.GetByLabel("Secret key (SK)").InputValueAsync());

        // Back up, and follow the record to succeed with its census.
        await page.GetByRole(AriaRole.Link, new() { Name = "t-ha", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "t-ha" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("started");
        var backupRow = page.Locator("section[aria-label=Backups] tbody tr").First;
        await Expect(backupRow).ToContainTextAsync("succeed", new() { Timeout = 120_000 });
        await Expect(backupRow).ToContainTextAsync("db0: 5002 keys");
        await Expect(backupRow).ToContainTextAsync("db1: 1 key");
        await Expect(backupRow).ToContainTextAsync("string 5000");
        Assert.Equal("100", await backupRow.Locator("progress").GetAttributeAsync("value"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, "1-backup-succeeded.png"), FullPage = true });

        await using (var redis = await ConnectAsync(ha))
        {
            await redis.GetDatabase().StringSetAsync("written-after-the-backup", "x");
        }

        // Restore it: the confirmation names the instance and the backup whose data replaces it.
        string backupName = (await backupRow.Locator("td").First.InnerTextAsync()).Split('\n')[0].Trim();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore {backupName}" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync($"All data of instance t-ha ({(string)ha["instance_id"]!}) will be replaced by backup {backupName}");
        await Expect(dialog).ToContainTextAsync("5003 keys");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, "2-restore-confirmation.png") });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Replace the data of t-ha" }).ClickAsync();
        var restoreRow = page.Locator("section[aria-label=Restores] tbody tr").First;
        await Expect(restoreRow).ToContainTextAsync(backupName);
        await Expect(restoreRow).ToContainTextAsync("succeed", new() { Timeout = 120_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, "3-restore-succeeded.png"), FullPage = true });
        await using (var redis = await ConnectAsync(ha))
        {
            Assert.False(await redis.GetDatabase().KeyExistsAsync("written-after-the-backup"));
            Assert.True(await redis.GetDatabase(1).KeyExistsAsync("tags"));
        }

        // A single-node instance cannot be backed up: the DCS message is shown, not a blank page.
        await page.GetByRole(AriaRole.Link, new() { Name = "All instances" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "t-single", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "t-single" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("single-node instances cannot");
        await Expect(alert).ToContainTextAsync("DCS.4086");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, "4-single-node-refused.png"), FullPage = true });
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(System.Text.Json.Nodes.JsonNode instance) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { (string)instance["ip"]!, (int)instance["port"]! } }, Password = InstancePassword });
}
