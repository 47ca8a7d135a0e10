using Platform.Core.Streams;
using Platform.Core.Streams.Definition;

namespace Platform.Tests.Streams;

/// <summary>Job definitions: YAML and JSON read into the same job; every reason a job cannot run is given at once.</summary>
public sealed class StreamJobParserTests
{
    private const string PageViews = """
        from: views
        steps:
          - filter: "page != null"
          - map: "{page: page, user: user, ts: ts}"
          - window:
              tumbling: 60s
              time: ts
              grace: 10s
              aggregate:
                views: count
                users: {distinct: user}
                p95: {percentile: ms, q: 0.95}
          - to: views-per-minute
        results: true
        """;

    [Fact]
    public void Yaml_and_json_read_into_the_same_job()
    {
        StreamJob yaml = StreamJobParser.Parse("views-per-minute", PageViews);
        StreamJob json = StreamJobParser.Parse("views-per-minute", """
            {"from":["views"],"steps":[{"filter":"page != null"},{"map":"{page: page, user: user, ts: ts}"},
             {"window":{"tumbling":"60s","time":"ts","grace":"10s","aggregate":{"views":"count","users":{"distinct":"user"},"p95":{"percentile":"ms","q":0.95}}}},
             {"to":"views-per-minute"}],"results":true}
            """);
        foreach (StreamJob job in new[] { yaml, json })
        {
            Assert.Equal(["views"], job.Inputs);
            Assert.Equal(["views-per-minute"], job.Outputs);
            Assert.True(job.KeepsResults);
            Assert.Equal(["views", "users", "p95"], job.WindowAggregations.Select(a => a.Name));
        }
    }

    [Theory]
    [InlineData("from: views\nsteps:\n  - to: out\nsurprise: 1", "surprise")]
    [InlineData("steps:\n  - to: out", "from: name at least one topic")]
    [InlineData("from: v\nsteps:\n  - filter: 'a'\n    map: 'b'\n  - to: out", "exactly one of filter, map, rekey, join, window, to")]
    [InlineData("from: v\nsteps:\n  - filter: 'a ==== b'\n  - to: out", "is not a JMESPath expression")]
    [InlineData("from: v\nsteps:\n  - map: '{a: a}'", "the last step must be a `to`")]
    [InlineData("from: v\nsteps:\n  - rekey: user\n  - window: {tumbling: 60s, aggregate: {n: count}}\n  - to: out", "two-stage topology")]
    [InlineData("from: v\nsteps:\n  - window: {tumbling: 60 seconds, aggregate: {n: count}}\n  - to: out", "is not a duration")]
    [InlineData("from: v\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: {percentile: ms, q: 2}}}\n  - to: out", "percentile needs q between 0 and 1")]
    [InlineData("from: v\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: {median: ms}}}\n  - to: out", "not one of count")]
    [InlineData("from: v\nsteps:\n  - window: {hopping: {size: 60s, advance: 1s}, aggregate: {n: count}}\n  - to: out", "at most 20 windows")]
    [InlineData("from: v\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: count}}", "must keep its results")]
    [InlineData("from: v\nsteps:\n  - window: {tumbling: 1m, session: {gap: 1m}, aggregate: {n: count}}\n  - to: out", "exactly one of tumbling, hopping, session")]
    [InlineData("from: v\nstart: middle\nsteps:\n  - to: out", "not earliest or latest")]
    [InlineData("from: v\nsteps:\n  - join: {on: user}\n  - to: out", "name the table")]
    public void A_job_that_cannot_run_is_refused_with_the_reason(string definition, string reason)
    {
        var e = Assert.Throws<StreamJobException>(() => StreamJobParser.Parse("job", definition));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_and_bad_names_are_refused()
    {
        var e = Assert.Throws<StreamJobException>(() => StreamJobParser.Parse("job", "from: v\nsteps:\n  - filter: '(('\n  - window: {tumbling: xx, aggregate: {}}\n"));
        Assert.True(e.Problems.Count >= 3, string.Join(" | ", e.Problems));
        Assert.Contains("must be lower-case", Assert.Throws<StreamJobException>(() => StreamJobParser.Parse("Bad Name", "from: v\nsteps:\n  - to: out")).Message, StringComparison.Ordinal);
    }
}
