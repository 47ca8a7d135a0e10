using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Alerting;
using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Notifier;
using Platform.Core.Log.Topics;
using Platform.Core.Metrics;
using Platform.Core.Metrics.Query;
using Platform.Core.Storage.InMemory;
using Platform.Promql.Engine;
using Platform.Promql.Series;
using Platform.Tests.Fixtures;
using Platform.Tests.Metrics;

namespace Platform.Tests.Alerting;

/// <summary>Group evaluation: slots, catch-up, one notification however many instances evaluate, history in the alerts topic.</summary>
public sealed class RuleGroupEvaluatorTests
{
    private const long Now = 1_767_229_200_000; // on a minute boundary
    private static readonly Labels Errors = Labels.Of("__name__", "errors_total", "job", "api");

    private const string Rules = """
        groups:
          - name: api
            interval: 1m
            rules:
              - record: job:errors:rate5m
                expr: sum by (job) (rate(errors_total[5m]))
              - alert: ErrorsHigh
                expr: job:errors:rate5m > 1
                labels: {severity: page}
                annotations: {summary: '{{ $labels.job }}: {{ $value | humanize }} errors/s'}
        """;

    internal static async Task<(TestEngine Engine, InMemoryMetricStore Metrics, InMemoryRuleStore Rules, InMemoryAlertStateStore States, AlertReceiver Receiver, FixedTime Time)> RigAsync()
    {
        var engine = new TestEngine(StorageSet.InMemory());
        await engine.Topics.CreateAsync(new TopicConfig { Name = "alerts", Partitions = 1 }, CancellationToken.None);
        var metrics = new InMemoryMetricStore();
        var time = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(Now));
        var rig = new MetricsRig(metrics, Now);
        // An error counter growing 600 a minute (10/s) for the last ten minutes.
        for (var t = Now - 600_000; t <= Now; t += 15_000) await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(Errors, t, (t - (Now - 600_000)) / 100.0)], CancellationToken.None);
        var rules = new InMemoryRuleStore();
        await rules.PutAsync(new Platform.Core.Storage.StoredRuleGroup("api", Rules, Now), CancellationToken.None);
        return (engine, metrics, rules, new InMemoryAlertStateStore(), await AlertReceiver.StartAsync(), time);
    }

    internal static RuleGroupEvaluator Evaluator(TestEngine engine, InMemoryMetricStore metrics, InMemoryRuleStore rules, InMemoryAlertStateStore states, AlertReceiver receiver, FixedTime time,
        Platform.Core.Alerting.Routing.AlertRouter? router = null, bool toAlertmanager = true)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AlertingOptions { AlertmanagerUrls = toAlertmanager ? [receiver.Url.ToString()] : [], ExternalLabels = { ["cluster"] = "eu1" } });
        var telemetry = new AlertingTelemetry();
        var writer = new Platform.Core.Metrics.Aggregation.SampleWriter(metrics, Microsoft.Extensions.Options.Options.Create(new MetricsOptions()), new MetricsTelemetry(), time,
            NullLogger<Platform.Core.Metrics.Aggregation.SampleWriter>.Instance);
        return new RuleGroupEvaluator(rules, states, new QueryEngine(new EngineOptions()), new StoredSeriesQuerier(metrics), writer, engine.Producer,
            new AlertmanagerClient(new HttpClient(), options, telemetry, NullLogger<AlertmanagerClient>.Instance),
            router ?? Router(new InMemoryRouterStore(), engine, time), telemetry, options, time, NullLogger<RuleGroupEvaluator>.Instance);
    }

    internal static Platform.Core.Alerting.Routing.AlertRouter Router(Platform.Core.Storage.IRouterStore store, TestEngine engine, FixedTime time, Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var sender = new Platform.Core.Alerting.Routing.NotificationSender(new HttpClient(), configuration, engine.Producer, engine.Topics,
            Microsoft.Extensions.Options.Options.Create(new AlertingOptions()), time);
        return new Platform.Core.Alerting.Routing.AlertRouter(store, sender, time, NullLogger<Platform.Core.Alerting.Routing.AlertRouter>.Instance);
    }

    [Fact]
    public async Task A_group_records_series_fires_alerts_sends_them_and_keeps_history()
    {
        var (engine, metrics, rules, states, receiver, time) = await RigAsync();
        await using var _ = engine;
        await using var __ = receiver;
        await Evaluator(engine, metrics, rules, states, receiver, time).EvaluateDueAsync(CancellationToken.None);

        var recorded = await new StoredSeriesQuerier(metrics).SelectAsync([new LabelMatcher(MatcherType.Equal, "__name__", "job:errors:rate5m")], Now, Now, 1000, default).ToListAsync();
        Assert.Equal(10, Assert.Single(Assert.Single(recorded).Points).F, 6);
        var post = Assert.Single(receiver.AlertPosts).Body;
        var alert = Assert.Single(post.EnumerateArray());
        Assert.Equal("ErrorsHigh", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("eu1", alert.GetProperty("labels").GetProperty("cluster").GetString());
        Assert.Equal("api: 10 errors/s", alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.True(DateTimeOffset.Parse(alert.GetProperty("endsAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > time.Now);
        var alertsSeries = await new StoredSeriesQuerier(metrics).SelectAsync([new LabelMatcher(MatcherType.Equal, "__name__", "ALERTS")], Now, Now, 1000, default).ToListAsync();
        Assert.Equal("firing", Assert.Single(alertsSeries).Labels.Get("alertstate"));
        var history = await Records.ReadAllAsync(engine.Reader, "alerts", 0);
        Assert.Equal(2, history.Count); // inactive → pending → firing (for: 0 fires in the same evaluation)
    }

    [Fact]
    public async Task Two_instances_evaluating_at_once_send_each_notification_once()
    {
        var (engine, metrics, rules, states, receiver, time) = await RigAsync();
        await using var _ = engine;
        await using var __ = receiver;
        var a = Evaluator(engine, metrics, rules, states, receiver, time);
        var b = Evaluator(engine, metrics, rules, states, receiver, time);
        for (var minute = 0; minute < 3; minute++)
        {
            await Task.WhenAll(a.EvaluateDueAsync(CancellationToken.None), b.EvaluateDueAsync(CancellationToken.None));
            time.Now = time.Now.AddMinutes(1);
        }
        // First send, then the resend after a minute of firing (resend delay 1 m, sent when strictly older): 2 posts, never 4 or 6.
        Assert.Equal(2, receiver.AlertPosts.Count);
        Assert.Equal(2, (await Records.ReadAllAsync(engine.Reader, "alerts", 0)).Count);
    }

    [Fact]
    public async Task Missed_slots_are_caught_up_in_order_and_older_ones_counted()
    {
        var (engine, metrics, rules, states, receiver, time) = await RigAsync();
        await using var _ = engine;
        await using var __ = receiver;
        var evaluator = Evaluator(engine, metrics, rules, states, receiver, time);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        time.Now = time.Now.AddMinutes(4).AddSeconds(20);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        var state = (await states.LoadAsync("api", CancellationToken.None))!.State;
        Assert.Equal(Now + 4 * 60_000, state.LastEvaluation);
        // The recording rule wrote a sample at every slot: none skipped silently.
        var recorded = await new StoredSeriesQuerier(metrics).SelectAsync([new LabelMatcher(MatcherType.Equal, "__name__", "job:errors:rate5m")], Now, Now + 600_000, 1000, default).ToListAsync();
        Assert.Equal([Now, Now + 60_000, Now + 120_000, Now + 180_000, Now + 240_000], Assert.Single(recorded).Points.Select(p => p.T));
    }

    [Fact]
    public async Task An_alertmanager_that_is_down_gets_the_alert_at_the_next_resend()
    {
        var (engine, metrics, rules, states, receiver, time) = await RigAsync();
        await using var _ = engine;
        await using var __ = receiver;
        var evaluator = Evaluator(engine, metrics, rules, states, receiver, time);
        receiver.FailWith = 503;
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        Assert.Empty(receiver.AlertPosts);
        receiver.FailWith = null;
        // The next tick, not the next resend a minute on: undelivered alerts wait in the group's outbox.
        time.Now = time.Now.AddSeconds(15);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        Assert.Single(receiver.AlertPosts);
        time.Now = time.Now.AddSeconds(15);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        Assert.Single(receiver.AlertPosts);
    }

    [Fact]
    public async Task Adding_a_rule_before_others_keeps_their_alerts()
    {
        var (engine, metrics, rules, states, receiver, time) = await RigAsync();
        await using var _ = engine;
        await using var __ = receiver;
        var evaluator = Evaluator(engine, metrics, rules, states, receiver, time);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        var reordered = Rules.Replace("    rules:\n", "    rules:\n      - alert: Newcomer\n        expr: vector(0) > 1\n", StringComparison.Ordinal);
        Assert.NotEqual(Rules, reordered);
        await rules.PutAsync(new Platform.Core.Storage.StoredRuleGroup("api", reordered, Now), CancellationToken.None);
        time.Now = time.Now.AddMinutes(1);
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        // Still the same firing alert: no new pending transition, no second "firing" record.
        Assert.Equal(2, (await Records.ReadAllAsync(engine.Reader, "alerts", 0)).Count);
    }
}
