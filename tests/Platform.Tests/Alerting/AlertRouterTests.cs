using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Routing;
using Platform.Core.Alerting.Rules;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;
using Platform.Tests.Metrics;

namespace Platform.Tests.Alerting;

/// <summary>The built-in router: routing tree, grouping and its timers, silences, inhibition, signed webhooks, retries in order, once per instance set.</summary>
public sealed class AlertRouterTests
{
    private const long Now = 1_767_229_200_000;

    private static string Config(Uri hook) => $$"""
        route:
          receiver: team
          group_by: [alertname, job]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          routes:
            - matchers: ['severity="page"']
              receiver: pager
              continue: true
            - matchers: ['job=~"db.*"']
              receiver: dba
        receivers:
          - name: team
            webhook_configs: [{url: '{{hook}}hook', hmac_secret_setting: 'Hooks:Secret'}]
          - name: pager
            webhook_configs: [{url: '{{hook}}hook'}]
          - name: dba
            webhook_configs: [{url: '{{hook}}hook'}]
        inhibit_rules:
          - source_matchers: ['alertname="ClusterDown"']
            target_matchers: ['severity="warning"']
            equal: [job]
        """;

    private static ActiveAlert Alert(string name, string job, string severity = "warning", long resolvedAt = 0) => new(
        new Dictionary<string, string> { ["alertname"] = name, ["job"] = job, ["severity"] = severity },
        new Dictionary<string, string> { ["summary"] = $"{name} on {job}" }, AlertStatus.Firing, 1, Now - 60_000, Now - 60_000, resolvedAt, Now, Now + 240_000);

    private static async Task<(AlertRouter Router, FixedTime Time, AlertReceiver Receiver, TestEngine Engine, InMemoryRouterStore Store)> RigAsync()
    {
        var receiver = await AlertReceiver.StartAsync();
        var engine = new TestEngine(StorageSet.InMemory());
        var time = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(Now));
        var store = new InMemoryRouterStore();
        var router = RuleGroupEvaluatorTests.Router(store, engine, time, new Dictionary<string, string?> { ["Hooks:Secret"] = "s3cret" });
        await router.PutConfigAsync(Config(receiver.Url), CancellationToken.None);
        return (router, time, receiver, engine, store);
    }

    [Fact]
    public void The_tree_routes_depth_first_with_continue_and_inherits_options()
    {
        var config = RoutingConfig.Parse(Config(new Uri("http://x/")));
        string[] Receivers(params string[] labels)
        {
            var map = new Dictionary<string, string>();
            for (var i = 0; i < labels.Length; i += 2) map[labels[i]] = labels[i + 1];
            return [.. config.Root.Match(map).Select(r => r.Receiver)];
        }
        Assert.Equal(["team"], Receivers("job", "api"));
        Assert.Equal(["pager", "dba"], Receivers("job", "db1", "severity", "page"));
        Assert.Equal(["dba"], Receivers("job", "db1"));
        Assert.Equal(TimeSpan.FromMinutes(5), config.Root.Children[1].GroupInterval);
    }

    [Theory]
    [InlineData("route: {receiver: nobody}\nreceivers: [{name: team}]\n", "receiver \"nobody\" is not defined")]
    [InlineData("receivers: [{name: team}]\n", "needs a root route")]
    [InlineData("route: {receiver: team, matchers: ['a=\"b\"']}\nreceivers: [{name: team}]\n", "must not have matchers")]
    [InlineData("route: {receiver: team, group_wait: soon}\nreceivers: [{name: team}]\n", "not a positive duration")]
    [InlineData("route: {receiver: team, routes: [{matchers: ['bad matcher']}]}\nreceivers: [{name: team}]\n", "is not a matcher")]
    [InlineData("route: {receiver: team}\nreceivers: [{name: team, webhook_configs: [{url: 'ftp://x'}]}]\n", "absolute http or https URL")]
    [InlineData("route: {receiver: team}\nreceivers: [{name: team}, {name: team}]\n", "used twice")]
    [InlineData("route: {receiver: team}\nreceivers: [&t {name: team}, *t]\n", "anchors and aliases")]
    public void A_bad_configuration_is_refused_saying_where(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<RuleFileException>(() => RoutingConfig.Parse(yaml)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task A_group_waits_then_notifies_once_signed_then_waits_its_interval_for_changes()
    {
        var (router, time, receiver, engine, _) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        await router.IngestAsync([Alert("HighLatency", "api"), Alert("HighLatency", "api") with { Labels = new Dictionary<string, string> { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "warning", ["instance"] = "b" } }],
            "", new Dictionary<string, string>(), CancellationToken.None);
        await router.FlushAsync(CancellationToken.None);
        Assert.Empty(receiver.Webhooks); // group_wait
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        var (_, body) = Assert.Single(receiver.Webhooks);
        Assert.Equal(("4", "firing", 2), (body.GetProperty("version").GetString(), body.GetProperty("status").GetString(), body.GetProperty("alerts").GetArrayLength()));
        Assert.Equal("api", body.GetProperty("groupLabels").GetProperty("job").GetString());
        var signature = Assert.Single(receiver.Signatures);
        Assert.Equal(NotificationSender.Signature("s3cret", long.Parse(signature.Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture), receiver.RawBodies.Single()), signature);

        // A change inside the group interval waits for it; nothing repeats before repeat_interval.
        await router.IngestAsync([Alert("HighLatency", "api") with { Labels = new Dictionary<string, string> { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "warning", ["instance"] = "c" } }],
            "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddMinutes(2);
        await router.FlushAsync(CancellationToken.None);
        Assert.Single(receiver.Webhooks);
        time.Now = time.Now.AddMinutes(4);
        await router.FlushAsync(CancellationToken.None);
        Assert.Equal(2, receiver.Webhooks.Count);
        time.Now = time.Now.AddMinutes(6);
        await router.FlushAsync(CancellationToken.None);
        Assert.Equal(2, receiver.Webhooks.Count);
    }

    [Fact]
    public async Task Silenced_and_inhibited_alerts_are_not_notified_until_the_silence_ends()
    {
        var (router, time, receiver, engine, store) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        await store.PutSilenceAsync(new Silence("s1", ["job=\"api\""], Now, Now + 600_000, "test", "deploy"), CancellationToken.None);
        await router.IngestAsync([Alert("HighLatency", "api"), Alert("ClusterDown", "web", "critical"), Alert("HighLatency", "web")], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        // api is silenced; web's warning is inhibited by web's ClusterDown; only ClusterDown is notified.
        var (_, body) = Assert.Single(receiver.Webhooks);
        Assert.Equal("ClusterDown", body.GetProperty("groupLabels").GetProperty("alertname").GetString());
        time.Now = time.Now.AddMinutes(11);
        await router.IngestAsync([Alert("HighLatency", "api") with { ValidUntil = Now + 3_600_000 }], "", new Dictionary<string, string>(), CancellationToken.None);
        await router.FlushAsync(CancellationToken.None);
        Assert.Contains(receiver.Webhooks, w => w.Body.GetProperty("groupLabels").GetProperty("job").GetString() == "api");
    }

    [Fact]
    public async Task A_receiver_that_is_down_gets_every_notification_later_in_order_and_once()
    {
        var (router, time, receiver, engine, _) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        receiver.FailHooksWith = 503;
        await router.IngestAsync([Alert("HighLatency", "api")], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        await router.IngestAsync([Alert("HighLatency", "api", resolvedAt: time.Now.ToUnixTimeMilliseconds())], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddMinutes(6);
        await router.FlushAsync(CancellationToken.None);
        Assert.Empty(receiver.Webhooks);
        receiver.FailHooksWith = null;
        for (var i = 0; i < 10; i++)
        {
            time.Now = time.Now.AddMinutes(1);
            await router.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(["firing", "resolved"], receiver.Webhooks.Select(w => w.Body.GetProperty("status").GetString()));
        Assert.Equal(2, receiver.IdempotencyKeys.Distinct().Count());
    }

    [Fact]
    public async Task Two_instances_flushing_at_once_notify_each_group_once()
    {
        var (router, time, receiver, engine, store) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        var other = RuleGroupEvaluatorTests.Router(store, engine, time, new Dictionary<string, string?> { ["Hooks:Secret"] = "s3cret" });
        await router.IngestAsync([Alert("HighLatency", "api"), Alert("HighLatency", "web")], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await Task.WhenAll(router.FlushAsync(CancellationToken.None), other.FlushAsync(CancellationToken.None), router.FlushAsync(CancellationToken.None));
        Assert.Equal(2, receiver.Webhooks.Count);
        Assert.Equal(2, receiver.Webhooks.Select(w => w.Body.GetProperty("groupKey").GetString()).Distinct().Count());
    }

    [Fact]
    public void Group_by_all_labels_is_inherited_and_route_identity_does_not_depend_on_position()
    {
        var config = RoutingConfig.Parse("route: {receiver: a, group_by: ['...'], routes: [{matchers: ['x=\"1\"'], receiver: b}]}\nreceivers: [{name: a}, {name: b}]\n");
        Assert.Null(config.Root.Children[0].GroupBy);
        var moved = RoutingConfig.Parse("route: {receiver: a, group_by: ['...'], routes: [{matchers: ['y=\"2\"'], receiver: a}, {matchers: ['x=\"1\"'], receiver: b}]}\nreceivers: [{name: a}, {name: b}]\n");
        Assert.Equal(config.Root.Children[0].Id, moved.Root.Children[1].Id);
    }

    [Fact]
    public async Task A_notification_delivered_late_still_says_firing()
    {
        var (router, time, receiver, engine, store) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        receiver.FailHooksWith = 503;
        var b = Alert("HighLatency", "api") with { Labels = new Dictionary<string, string> { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "warning", ["instance"] = "b" } };
        await router.IngestAsync([Alert("HighLatency", "api"), b], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        // Down past the alerts' validity (4 minutes): delivered afterwards, it still reports them firing.
        time.Now = time.Now.AddMinutes(5);
        receiver.FailHooksWith = null;
        for (var i = 0; i < 6; i++)
        {
            time.Now = time.Now.AddMinutes(1);
            await router.FlushAsync(CancellationToken.None);
        }
        var first = receiver.Webhooks.First().Body;
        Assert.Equal("firing", first.GetProperty("status").GetString());
        Assert.All(first.GetProperty("alerts").EnumerateArray(), a => Assert.Equal("firing", a.GetProperty("status").GetString()));

    }

    [Fact]
    public async Task Silencing_part_of_a_notified_group_is_no_news_and_its_end_brings_the_resolution()
    {
        var (router, time, receiver, engine, store) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        var a = Alert("HighLatency", "api") with { ValidUntil = Now + 3_600_000 };
        var b = a with { Labels = new Dictionary<string, string> { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "warning", ["instance"] = "b" } };
        await router.IngestAsync([a, b], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        Assert.Single(receiver.Webhooks);
        var now = time.Now.ToUnixTimeMilliseconds();
        await store.PutSilenceAsync(new Silence("s", ["instance=\"b\""], now, now + 600_000, "t", "c"), CancellationToken.None);
        time.Now = time.Now.AddMinutes(6);
        await router.FlushAsync(CancellationToken.None);
        Assert.Single(receiver.Webhooks);
        // b resolves while silenced; once the silence is over its resolution goes out (it was notified firing).
        await router.IngestAsync([b with { ResolvedAt = time.Now.ToUnixTimeMilliseconds() }], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddMinutes(6);
        await router.FlushAsync(CancellationToken.None);
        Assert.Equal(2, receiver.Webhooks.Count);
        Assert.Contains(receiver.Webhooks.Last().Body.GetProperty("alerts").EnumerateArray(), x => x.GetProperty("status").GetString() == "resolved");
    }

    [Fact]
    public async Task Alerts_that_are_both_source_and_target_do_not_mute_each_other()
    {
        var (router, time, receiver, engine, _) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        await router.PutConfigAsync($$"""
            route: {receiver: team, group_by: [alertname]}
            receivers: [{name: team, webhook_configs: [{url: '{{receiver.Url}}hook'}]}]
            inhibit_rules:
              - source_matchers: ['severity="critical"']
                target_matchers: ['severity=~"warning|critical"']
                equal: [job]
            """, CancellationToken.None);
        await router.IngestAsync([Alert("DiskFull", "db", "critical"), Alert("DiskSlow", "db", "critical"), Alert("DiskWarm", "db")], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        var notified = receiver.Webhooks.Select(w => w.Body.GetProperty("groupLabels").GetProperty("alertname").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["DiskFull", "DiskSlow"], notified);
    }

    [Fact]
    public async Task Slack_and_email_receivers_get_the_notification_their_way()
    {
        var (router, time, receiver, engine, _) = await RigAsync();
        await using var _1 = receiver;
        await using var _2 = engine;
        await router.PutConfigAsync($$"""
            route: {receiver: ops, group_by: [alertname]}
            receivers:
              - name: ops
                slack_configs: [{api_url: '{{receiver.Url}}slack', channel: '#ops'}]
                email_configs: [{to: ops@example.com}]
            """, CancellationToken.None);
        await router.IngestAsync([Alert("DiskFull", "db")], "", new Dictionary<string, string>(), CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        await router.FlushAsync(CancellationToken.None);
        var slack = Assert.Single(receiver.Slack);
        Assert.Equal("#ops", slack.GetProperty("channel").GetString());
        Assert.Contains("FIRING DiskFull", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var mail = Assert.Single(await Records.ReadAllAsync(engine.Reader, "notifications", 0));
        var message = System.Text.Json.JsonDocument.Parse(mail.Value!.Value).RootElement;
        Assert.Equal("ops@example.com", message.GetProperty("to").GetProperty("email")[0].GetString());
        Assert.Null(Platform.Core.Consumers.Notifications.NotificationSchema.Validate(mail.Value!.Value).Error);
        Assert.StartsWith("[FIRING:1] DiskFull", message.GetProperty("subject").GetString(), StringComparison.Ordinal);
    }
}
