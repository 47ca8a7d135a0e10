using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Platform.Tests.Corpus;

/// <summary>
/// A valid example body for every route and media type, and the bad requests derived from each. The topic
/// <see cref="Topic"/> has <see cref="Partitions"/> partitions, so partition <see cref="Partitions"/> does not exist.
/// </summary>
public static class BadInputCorpus
{
    public const string Topic = "corpus";

    /// <summary>A compacted topic: every record needs a key.</summary>
    public const string CompactedTopic = "corpus-compacted";

    public const int Partitions = 2;

    private const string Json = "application/json";
    private const string Protobuf = "application/x-protobuf";
    private const string RecordsPath = "/api/topics/corpus/records";

    public const string RecordsSeed = """{"records":[{"key":"k","value":"v","headers":{"h":"x"},"partition":0,"timestamp":1700000000000}]}""";
    public const string TopicSeed = """{"name":"corpus-new","partitions":1,"retentionMs":604800000,"cleanupPolicy":"delete","compression":"zstd","maxRecordBytes":1024}""";
    public const string KeySeed = """{"name":"corpus key","grants":[{"topics":"corpus","operations":["produce"]}]}""";
    public const string ResetSeed = """{"to":"offset","offset":0}""";
    public const string SilenceSeed = """{"matchers":["job=\"api\""],"endsAt":"2030-01-01T00:00:00Z","createdBy":"c","comment":"c"}""";
    public const string TemplateSeed = """{"subject":"Order {{ order }}","text":"t","html":"<p>h</p>"}""";
    private const string Yaml = "application/yaml";
    private const string RulesSeed = "groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: up == 0\n";

    public static IEnumerable<BadInputCase> All() =>
        Records().Concat(Ndjson()).Concat(Raw()).Concat(Consume()).Concat(Topics()).Concat(Keys()).Concat(Resets()).Concat(Commits()).Concat(TopicChanges()).Concat(Jobs()).Concat(Beacons()).Concat(Alerting()).Concat(Notifications()).Concat(OtlpJson()).Concat(OtlpProtobuf()).Concat(Encodings());

    private static IEnumerable<BadInputCase> Records()
    {
        var fields = new Dictionary<string, string[]>
        {
            ["records"] = ["null", "string", "number", "true", "array", "array of numbers"],
            ["records[0]"] = ["null", "string", "number", "true", "array"],
            ["records[0].key"] = ["number", "true", "object", "array"],
            ["records[0].headers"] = ["string", "number", "true", "array of numbers"],
            ["records[0].headers.h"] = ["number", "true", "object", "array"],
            ["records[0].partition"] = ["string", "negative", "fraction", "huge", "overflow double", "true", "object", "array"],
            ["records[0].timestamp"] = ["string", "negative", "fraction", "huge", "overflow double", "true", "object", "array"],
            ["records[0].keyBase64"] = ["string", "number", "true", "object", "array"],
            ["records[0].valueBase64"] = ["number", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(RecordsSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, RecordsPath, body, Json);
        }

        yield return new BadInputCase("out of range", "partition that does not exist", HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(RecordsSeed.Replace("\"partition\":0", $"\"partition\":{Partitions}", StringComparison.Ordinal)), Json);
        yield return new BadInputCase("out of range", "keyBase64 of 11 characters", HttpMethod.Post, RecordsPath, """{"keyBase64":"YWJjZGVmZ2h","value":"v"}"""u8.ToArray(), Json);
        yield return new BadInputCase("out of range", "headers with a key that is not a string", HttpMethod.Post, RecordsPath, """{"value":"v","headers":[{"key":5,"value":"x"}]}"""u8.ToArray(), Json);
        yield return new BadInputCase("out of range", "no records", HttpMethod.Post, RecordsPath, """{"records":[]}"""u8.ToArray(), Json);
        yield return new BadInputCase("out of range", "a record without a key on a compacted topic", HttpMethod.Post, $"/api/topics/{CompactedTopic}/records",
            """{"records":[{"key":"k","value":"v"},{"value":"no key"}]}"""u8.ToArray(), Json);
        foreach (string body in new[] { """{"value":"\ud800"}""", """{"key":"\udc00x","value":"v"}""", """{"value":"v","headers":{"\ud800":"x"}}""", """{"value":"v","headers":{"h":"\udfff"}}""" })
        {
            yield return new BadInputCase("unpaired surrogate", body, HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(body), Json);
            yield return new BadInputCase("unpaired surrogate", "ndjson " + body, HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(body + "\n"), "application/x-ndjson");
        }

        yield return new BadInputCase("duplicated key", "records twice at the root", HttpMethod.Post, RecordsPath, """{"records":[{"value":"a"}],"records":[{"value":"b"}]}"""u8.ToArray(), Json);
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(RecordsSeed, "partition"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, RecordsPath, body, Json);
        }
    }

    private static IEnumerable<BadInputCase> Ndjson()
    {
        const string first = """{"value":"a"}""";
        string[] badLines =
        [
            "5", "\"x\"", "[]", "null", "true", """{"key":5}""", """{"value":"b","partition":"1"}""", """{"value":"b","partition":9}""",
            """{"value":"b","timestamp":"never"}""", """{"headers":5}""", """{"value":"b""", """{"value":"b","value":"c"}""",
        ];
        foreach (string line in badLines)
        {
            yield return new BadInputCase("ndjson line", $"second line {line}", HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(first + "\n" + line + "\n"), "application/x-ndjson");
        }

        foreach ((string name, byte[] invalid) in JsonMutations.InvalidUtf8)
        {
            yield return new BadInputCase("invalid UTF-8", $"ndjson value with {name}", HttpMethod.Post, RecordsPath, [.. """{"value":"""u8.ToArray(), (byte)'"', .. invalid, (byte)'"', (byte)'}'], "application/x-ndjson");
        }

        yield return new BadInputCase("empty", "ndjson of blank lines", HttpMethod.Post, RecordsPath, "\n\n \n"u8.ToArray(), "application/x-ndjson");
    }

    private static IEnumerable<BadInputCase> Raw()
    {
        foreach (string partition in new[] { "abc", "-1", "2", "99999999999", "1.5", string.Empty, "0x1" })
        {
            yield return new BadInputCase("query", $"raw record with partition={partition}", HttpMethod.Post, $"{RecordsPath}?partition={Uri.EscapeDataString(partition)}", "raw"u8.ToArray(), "application/octet-stream");
        }

        foreach (string type in new[] { "application/xml", "text/html", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "nonsense" })
        {
            yield return new BadInputCase("content type", $"records as {type}", HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(RecordsSeed), type);
        }

        yield return new BadInputCase("content type", "records without a content type", HttpMethod.Post, RecordsPath, Encoding.UTF8.GetBytes(RecordsSeed), null);
    }

    private static IEnumerable<BadInputCase> Consume()
    {
        const string path = "/api/topics/corpus/partitions";
        foreach (string partition in new[] { "abc", "-1", "2", "99999999999", "1.5", "%20" })
        {
            yield return new BadInputCase("path", $"partition {partition}", HttpMethod.Get, $"{path}/{partition}/records?offset=0", null, null);
        }

        foreach (string query in new[]
        {
            "offset=-1", "offset=abc", "offset=99999999999999999999", "offset=5", "maxBytes=abc", "maxBytes=99999999999", "maxRecords=x",
            "waitMs=abc", "waitMs=1e3", "format=xml", "timestamp=never", "timestamp=99999999999999999999", "offset=0&format=",
        })
        {
            yield return new BadInputCase("query", query, HttpMethod.Get, $"{path}/0/records?{query}", null, null);
        }

        yield return new BadInputCase("path", "a topic name storage refuses", HttpMethod.Get, "/api/topics/a%23b/partitions/0/records", null, null);

        // The keyed view: bad queries, and a topic that is not compacted.
        foreach (string query in new[] { "limit=0", "limit=abc", "limit=5000", "keyFormat=hex", "format=xml", "keyFormat=base64&prefix=%%%" })
        {
            yield return new BadInputCase("query", $"keys {query}", HttpMethod.Get, $"/api/topics/{CompactedTopic}/keys?{query}", null, null);
        }

        yield return new BadInputCase("query", "key not base64", HttpMethod.Get, $"/api/topics/{CompactedTopic}/keys/%%%25?keyFormat=base64", null, null);
        yield return new BadInputCase("out of range", "keyed view of a topic not compacted", HttpMethod.Get, "/api/topics/corpus/keys/x", null, null);

        // The live tail: refused before it streams.
        foreach (string query in new[] { "partition=abc", "partition=-1", "partition=2", "from=never", "from=99999999999999999999", "format=xml", "heartbeatMs=abc", "heartbeatMs=-5" })
        {
            yield return new BadInputCase("query", $"stream {query}", HttpMethod.Get, $"/api/topics/corpus/stream?{query}", null, null);
        }
    }

    private static IEnumerable<BadInputCase> Topics()
    {
        var fields = new Dictionary<string, string[]>
        {
            ["name"] = ["null", "empty string", "number", "true", "object", "array"],
            ["partitions"] = ["string", "negative", "fraction", "huge", "overflow double", "true", "object", "array"],
            ["retentionMs"] = ["string", "fraction", "huge", "true", "object"],
            ["cleanupPolicy"] = ["string", "number", "true", "object"],
            ["compression"] = ["string", "number", "true", "array"],
            ["maxRecordBytes"] = ["string", "negative", "fraction", "huge", "true", "object"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(TopicSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, "/api/topics", body, Json);
        }

        foreach (string name in new[] { "UPPER", "a/b", "a#b", "has space", new string('x', 300), "corpus-new.dlq", "..", "-" })
        {
            yield return new BadInputCase("out of range", $"topic name '{name[..Math.Min(20, name.Length)]}'", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed.Replace("corpus-new", name, StringComparison.Ordinal)), Json);
        }

        yield return new BadInputCase("out of range", "0 partitions", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed.Replace("\"partitions\":1", "\"partitions\":0", StringComparison.Ordinal)), Json);
        yield return new BadInputCase("out of range", "a million partitions", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed.Replace("\"partitions\":1", "\"partitions\":1000000", StringComparison.Ordinal)), Json);
        foreach (string compaction in new[] { "\"minCleanableDirtyRatio\":1.5", "\"minCleanableDirtyRatio\":-0.1", "\"minCleanableDirtyRatio\":\"half\"", "\"deleteRetentionMs\":-1", "\"minCompactionLagMs\":-1", "\"maxCompactionLagMs\":0", "\"minCompactionLagMs\":10000,\"maxCompactionLagMs\":5000", "\"segmentMs\":0", "\"segmentMs\":-5", "\"segmentMs\":\"daily\"" })
        {
            yield return new BadInputCase("out of range", $"compaction {compaction}", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed.Replace("\"partitions\":1", "\"partitions\":1," + compaction, StringComparison.Ordinal)), Json);
        }

        yield return new BadInputCase("content type", "topic as text/plain", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed), "text/plain");
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(TopicSeed, "partitions"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, "/api/topics", body, Json);
        }
    }

    private static IEnumerable<BadInputCase> Keys()
    {
        var fields = new Dictionary<string, string[]>
        {
            ["name"] = ["null", "empty string", "number", "true", "object", "array"],
            ["grants"] = ["null", "string", "number", "true", "object", "array", "array of numbers"],
            ["grants[0]"] = ["null", "string", "number", "array"],
            ["grants[0].topics"] = ["null", "empty string", "number", "true", "object", "array"],
            ["grants[0].operations"] = ["null", "string", "number", "true", "object", "array", "array of numbers"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(KeySeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, "/api/keys", body, Json);
        }

        foreach (string pattern in new[] { "a*b", "team*", "UPPER.*", "*.x", "a b" })
        {
            yield return new BadInputCase("out of range", $"grant pattern '{pattern}'", HttpMethod.Post, "/api/keys", Encoding.UTF8.GetBytes(KeySeed.Replace("\"corpus\"", $"\"{pattern}\"", StringComparison.Ordinal)), Json);
        }

        yield return new BadInputCase("out of range", "operation 'fly'", HttpMethod.Post, "/api/keys", Encoding.UTF8.GetBytes(KeySeed.Replace("produce", "fly", StringComparison.Ordinal)), Json);
        yield return new BadInputCase("out of range", "a 101-character name", HttpMethod.Post, "/api/keys", Encoding.UTF8.GetBytes(KeySeed.Replace("corpus key", new string('n', 101), StringComparison.Ordinal)), Json);
        yield return new BadInputCase("out of range", "topics and groups in one grant", HttpMethod.Post, "/api/keys", Encoding.UTF8.GetBytes(KeySeed.Replace("\"topics\":\"corpus\"", "\"topics\":\"corpus\",\"groups\":\"g\"", StringComparison.Ordinal)), Json);
        yield return new BadInputCase("out of range", "a group grant to produce", HttpMethod.Post, "/api/keys", Encoding.UTF8.GetBytes(KeySeed.Replace("\"topics\"", "\"groups\"", StringComparison.Ordinal)), Json);
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(KeySeed, "name"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, "/api/keys", body, Json);
        }

        yield return new BadInputCase("path", "delete a key id that is not one", HttpMethod.Delete, "/api/keys/..%2F..", null, null);
    }

    private static IEnumerable<BadInputCase> Alerting()
    {
        const string silences = "/api/silences";
        var fields = new Dictionary<string, string[]>
        {
            ["matchers"] = ["null", "string", "number", "true", "object", "array of numbers"],
            ["endsAt"] = ["null", "number", "true", "object", "array"],
            ["createdBy"] = ["number", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(SilenceSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, silences, body, Json);
        }
        foreach ((string name, string from, string to) in new[]
        {
            ("no matchers", "[\"job=\\\"api\\\"\"]", "[]"),
            ("a matcher that is not one", "job=\\\"api\\\"", "job api"),
            ("a matcher every value passes", "job=\\\"api\\\"", "job=~\\\".*\\\""),
            ("an end in the past", "2030-01-01", "2001-01-01"),
        })
        {
            yield return new BadInputCase("out of range", name, HttpMethod.Post, silences, Encoding.UTF8.GetBytes(SilenceSeed.Replace(from, to, StringComparison.Ordinal)), Json);
        }
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(SilenceSeed, "endsAt"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, silences, body, Json);
        }

        yield return new BadInputCase("content type", "rules as XML", HttpMethod.Put, "/api/rules/g", Encoding.UTF8.GetBytes(RulesSeed), "application/xml");
        yield return new BadInputCase("malformed", "rules that are not YAML", HttpMethod.Put, "/api/rules/g", "groups: [ {"u8.ToArray(), Yaml);
        yield return new BadInputCase("out of range", "a group named otherwise than the route", HttpMethod.Put, "/api/rules/h", Encoding.UTF8.GetBytes(RulesSeed), Yaml);
        yield return new BadInputCase("out of range", "an expression that does not parse", HttpMethod.Put, "/api/rules/g", Encoding.UTF8.GetBytes(RulesSeed.Replace("up == 0", "sum(", StringComparison.Ordinal)), Yaml);
        foreach ((string name, byte[] bytes) in JsonMutations.InvalidUtf8)
        {
            yield return new BadInputCase("invalid UTF-8", $"rules: {name}", HttpMethod.Put, "/api/rules/g", [.. Encoding.UTF8.GetBytes(RulesSeed), .. bytes], Yaml);
        }
        yield return new BadInputCase("malformed", "routes that are not YAML", HttpMethod.Put, "/api/alerting/routes", "route: {"u8.ToArray(), Yaml);
        yield return new BadInputCase("out of range", "a route to a receiver nobody defined", HttpMethod.Put, "/api/alerting/routes", "route: {receiver: nobody}\nreceivers: [{name: team}]\n"u8.ToArray(), Yaml);
    }

    private static IEnumerable<BadInputCase> Notifications()
    {
        const string path = "/api/notification-templates/order-shipped";
        var fields = new Dictionary<string, string[]>
        {
            ["subject"] = ["null", "empty string", "number", "true", "object", "array"],
            ["text"] = ["number", "true", "object", "array"],
            ["html"] = ["number", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(TemplateSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Put, path, body, Json);
        }
        yield return new BadInputCase("out of range", "a template that does not parse", HttpMethod.Put, path, Encoding.UTF8.GetBytes(TemplateSeed.Replace("{{ order }}", "{{ order ", StringComparison.Ordinal)), Json);
        yield return new BadInputCase("path", "a template name with capitals", HttpMethod.Put, "/api/notification-templates/Order", Encoding.UTF8.GetBytes(TemplateSeed), Json);
        yield return new BadInputCase("path", "a template name storage refuses", HttpMethod.Get, "/api/notification-templates/a%23b", null, null);
        yield return new BadInputCase("path", "an opt-out for a channel there is none of", HttpMethod.Put, "/api/notification-optouts/fax/someone", null, null);
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(TemplateSeed, "subject"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Put, path, body, Json);
        }
    }

    public const string CommitSeed = """{"offsets":[{"partition":0,"offset":0}]}""";
    public const string AlterSeed = """{"retentionMs":3600000,"cleanupPolicy":"delete"}""";
    /// <summary>A job the corpus test stores before it starts (so that its results route has a job to refuse queries for).</summary>
    public const string Job = "corpus-job";

    public const string JobSeed = "from: corpus\nsteps:\n  - filter: \"page != null\"\n  - to: corpus\n";

    private static IEnumerable<BadInputCase> Commits()
    {
        const string path = "/api/groups/corpus-group/topics/corpus/commit";
        var fields = new Dictionary<string, string[]>
        {
            ["offsets"] = ["null", "string", "number", "true", "object"],
            ["offsets[0]"] = ["null", "string", "number", "true", "array"],
            ["offsets[0].partition"] = ["null", "string", "negative", "fraction", "huge", "overflow double", "true", "object", "array"],
            ["offsets[0].offset"] = ["null", "string", "negative", "fraction", "overflow double", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(CommitSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, path, body, Json);
        }

        foreach (string body in new[] { """{"offsets":[]}""", """{"offsets":[{"partition":2,"offset":0}]}""", """{"offsets":[{"partition":0,"offset":5}]}""", """{"offsets":[{"partition":0,"offset":0},{"partition":0,"offset":0}]}""", """{"offsets":[{"partition":0}]}""" })
        {
            yield return new BadInputCase("out of range", body, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), Json);
        }

        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(CommitSeed, "offsets"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, path, body, Json);
        }
    }

    private static IEnumerable<BadInputCase> TopicChanges()
    {
        const string path = "/api/topics/corpus";
        var fields = new Dictionary<string, string[]>
        {
            ["retentionMs"] = ["string", "fraction", "overflow double", "true", "object", "array"],
            ["cleanupPolicy"] = ["number", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(AlterSeed, fields))
        {
            yield return new BadInputCase("wrong type", $"alter: {name}", HttpMethod.Patch, path, body, Json);
        }

        foreach (string body in new[] { """{"partitions":3}""", """{"name":"other"}""", """{"retention.ms":1}""", """{"retentionMs":0}""", """{"cleanupPolicy":"shred"}""", """{"compression":"lzma"}""", """{"maxRecordBytes":0}""" })
        {
            yield return new BadInputCase("out of range", $"alter: {body}", HttpMethod.Patch, path, Encoding.UTF8.GetBytes(body), Json);
        }

        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(AlterSeed, "retentionMs"))
        {
            yield return new BadInputCase(cls, $"alter: {name}", HttpMethod.Patch, path, body, Json);
        }

        yield return new BadInputCase("path", "delete a topic that does not exist", HttpMethod.Delete, "/api/topics/no-such-topic", null, null);
        yield return new BadInputCase("path", "delete a platform topic", HttpMethod.Delete, "/api/topics/otlp.logs", null, null);
        yield return new BadInputCase("path", "alter a topic that does not exist", HttpMethod.Patch, "/api/topics/no-such-topic", Encoding.UTF8.GetBytes(AlterSeed), Json);
        yield return new BadInputCase("path", "groups of a topic name storage refuses", HttpMethod.Get, "/api/groups?topic=a%23b", null, null);
    }

    private static IEnumerable<BadInputCase> Jobs()
    {
        const string path = "/api/jobs/corpus-job";
        foreach ((string name, string body) in new[]
        {
            ("not YAML", "from: [corpus\n"),
            ("unknown field", JobSeed + "surprise: 1\n"),
            ("a step of two kinds", "from: corpus\nsteps:\n  - filter: a\n    map: b\n  - to: corpus\n"),
            ("an expression that does not parse", JobSeed.Replace("page != null", "page ====", StringComparison.Ordinal)),
            ("an output topic that does not exist", JobSeed.Replace("to: corpus", "to: nowhere", StringComparison.Ordinal)),
            ("a window after a rekey", "from: corpus\nsteps:\n  - rekey: user\n  - window: {tumbling: 60s, aggregate: {n: count}}\n  - to: corpus\n"),
            ("a duration that is not one", "from: corpus\nsteps:\n  - window: {tumbling: soon, aggregate: {n: count}}\n  - to: corpus\n"),
            ("an alias bomb", "a: &a [x]\nfrom: *a\nsteps:\n  - to: corpus\n"),
            ("no steps", "from: corpus\n"),
            ("empty", ""),
        })
        {
            yield return new BadInputCase("out of range", $"job: {name}", HttpMethod.Put, path, Encoding.UTF8.GetBytes(body), Yaml);
        }

        yield return new BadInputCase("content type", "a job as XML", HttpMethod.Put, path, Encoding.UTF8.GetBytes(JobSeed), "application/xml");
        foreach ((string name, byte[] bytes) in JsonMutations.InvalidUtf8)
        {
            yield return new BadInputCase("invalid UTF-8", $"job: {name}", HttpMethod.Put, path, [.. Encoding.UTF8.GetBytes(JobSeed), .. bytes], Yaml);
        }

        yield return new BadInputCase("path", "a job name that cannot be", HttpMethod.Put, "/api/jobs/Bad%23Name", Encoding.UTF8.GetBytes(JobSeed), Yaml);
        yield return new BadInputCase("path", "describe a job that does not exist", HttpMethod.Get, "/api/jobs/a%23b", null, null);
        yield return new BadInputCase("path", "reset a job that does not exist", HttpMethod.Post, "/api/jobs/no-such-job/reset", """{"to":"earliest"}"""u8.ToArray(), Json);
        yield return new BadInputCase("path", "results of a job that does not exist", HttpMethod.Get, "/api/jobs/no-such-job/results", null, null);
        foreach (string query in new[] { "limit=0", "limit=abc", "limit=100000", "from=never", "to=yesterday", "from=10&to=5" })
        {
            yield return new BadInputCase("query", $"job results: {query}", HttpMethod.Get, $"/api/jobs/{Job}/results?{query}", null, null);
        }

        foreach (string body in new[] { "{}", """{"to":"middle"}""", """{"to":"timestamp"}""", """{"to":"timestamp","timestamp":"never"}""", """{"to":7}""", "[]", "{" })
        {
            yield return new BadInputCase("out of range", $"job reset: {body}", HttpMethod.Post, $"/api/jobs/{Job}/reset", Encoding.UTF8.GetBytes(body), Json);
        }
    }

    private static IEnumerable<BadInputCase> Beacons()
    {
        // The admin key is refused on the beacon (its key is public), and so is a missing one: 4xx either way, nothing appended.
        yield return new BadInputCase("auth", "a beacon without a key", HttpMethod.Post, "/api/beacon/corpus", """{"page":"/"}"""u8.ToArray(), "text/plain");
        yield return new BadInputCase("auth", "a beacon with a key that may do more than produce", HttpMethod.Post, $"/api/beacon/corpus?key={Fixtures.LocalHost.AdminKey}", """{"page":"/"}"""u8.ToArray(), "text/plain");
        yield return new BadInputCase("auth", "a beacon with a key that does not exist", HttpMethod.Post, "/api/beacon/corpus?key=plk_nope", """{"page":"/"}"""u8.ToArray(), "text/plain");
    }

    private static IEnumerable<BadInputCase> Resets()
    {
        const string path = "/api/groups/corpus-group/topics/corpus/reset";
        var fields = new Dictionary<string, string[]>
        {
            ["to"] = ["null", "string", "number", "true", "object", "array"],
            ["offset"] = ["null", "string", "negative", "fraction", "huge", "overflow double", "true", "object", "array"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(ResetSeed, fields))
        {
            yield return new BadInputCase("wrong type", name, HttpMethod.Post, path, body, Json);
        }

        foreach (string body in new[] { """{"to":"timestamp","timestamp":"never"}""", """{"to":"timestamp","timestamp":true}""", """{"to":"timestamp"}""", """{"to":"offset"}""" })
        {
            yield return new BadInputCase("out of range", body, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), Json);
        }

        yield return new BadInputCase("path", "a group name storage refuses", HttpMethod.Post, "/api/groups/a%23b/topics/corpus/reset", Encoding.UTF8.GetBytes(ResetSeed), Json);
        yield return new BadInputCase("path", "a group name storage refuses (lag)", HttpMethod.Get, "/api/groups/a%3Fb/topics/corpus", null, null);
        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(ResetSeed, "offset"))
        {
            yield return new BadInputCase(cls, name, HttpMethod.Post, path, body, Json);
        }
    }

    private static IEnumerable<BadInputCase> OtlpJson()
    {
        string logs = OtlpJsonText(LogsExport());
        var logFields = new Dictionary<string, string[]>
        {
            ["resourceLogs"] = ["string", "number", "true", "object", "array of numbers"],
            ["resourceLogs[0]"] = ["string", "number", "true", "array"],
            ["resourceLogs[0].resource"] = ["string", "number", "true", "array"],
            ["resourceLogs[0].resource.attributes"] = ["string", "number", "true", "object", "array of numbers"],
            ["resourceLogs[0].scopeLogs[0].logRecords"] = ["string", "number", "true", "object"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano"] = ["string", "negative", "fraction", "huge", "true", "object", "array"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].body"] = ["string", "number", "true", "array"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].traceId"] = ["string", "number", "true", "object", "array"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].spanId"] = ["string", "number", "true", "object"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].flags"] = ["string", "negative", "fraction", "true", "object"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].severityText"] = ["number", "true", "object", "array"],
            ["resourceLogs[0].scopeLogs[0].logRecords[0].attributes"] = ["string", "number", "object", "array of numbers"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(logs, logFields))
        {
            yield return new BadInputCase("otlp wrong type", name, HttpMethod.Post, "/api/v1/logs", body, Json, Otlp: true);
        }

        string metrics = OtlpJsonText(MetricsExport());
        var metricFields = new Dictionary<string, string[]>
        {
            ["resourceMetrics"] = ["string", "number", "object"],
            ["resourceMetrics[0].scopeMetrics[0].metrics[0].gauge"] = ["string", "number", "array"],
            ["resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints"] = ["string", "object", "array of numbers"],
            ["resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asDouble"] = ["string", "true", "object", "array"],
            ["resourceMetrics[0].scopeMetrics[0].metrics[0].name"] = ["number", "object"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(metrics, metricFields))
        {
            yield return new BadInputCase("otlp wrong type", name, HttpMethod.Post, "/api/v1/metrics", body, Json, Otlp: true);
        }

        string traces = OtlpJsonText(TracesExport());
        var traceFields = new Dictionary<string, string[]>
        {
            ["resourceSpans"] = ["string", "number", "object"],
            ["resourceSpans[0].scopeSpans[0].spans[0].traceId"] = ["string", "number", "object"],
            ["resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano"] = ["string", "negative", "true", "object"],
            ["resourceSpans[0].scopeSpans[0].spans[0].kind"] = ["fraction", "true", "object", "array"],
            ["resourceSpans[0].scopeSpans[0].spans[0].events"] = ["string", "number", "object"],
        };
        foreach ((string name, byte[] body) in JsonMutations.WrongKinds(traces, traceFields))
        {
            yield return new BadInputCase("otlp wrong type", name, HttpMethod.Post, "/api/v1/traces", body, Json, Otlp: true);
        }

        foreach ((string cls, string name, byte[] body) in JsonMutations.Structural(logs, "timeUnixNano"))
        {
            yield return new BadInputCase("otlp " + cls, name, HttpMethod.Post, "/api/v1/logs", body, Json, Otlp: true);
        }

        yield return new BadInputCase("unpaired surrogate", "OTLP body string", HttpMethod.Post, "/api/v1/logs", Encoding.UTF8.GetBytes(logs.Replace("\"hello\"", "\"\\ud800\"", StringComparison.Ordinal)), Json, Otlp: true);
        yield return new BadInputCase("otlp wrong type", "a trace id of odd length", HttpMethod.Post, "/api/v1/logs", Encoding.UTF8.GetBytes(logs.Replace("5b8efff798038103d269b633813fc60c", "abc", StringComparison.Ordinal)), Json, Otlp: true);
        yield return new BadInputCase("otlp wrong type", "a trace id that is not hex", HttpMethod.Post, "/api/v1/logs", Encoding.UTF8.GetBytes(logs.Replace("5b8efff798038103d269b633813fc60c", "zz8efff798038103d269b633813fc60c", StringComparison.Ordinal)), Json, Otlp: true);
    }

    private static IEnumerable<BadInputCase> OtlpProtobuf()
    {
        (string Path, byte[] Body)[] seeds = [("/api/v1/logs", LogsExport().ToByteArray()), ("/api/v1/metrics", MetricsExport().ToByteArray()), ("/api/v1/traces", TracesExport().ToByteArray())];
        foreach ((string path, byte[] body) in seeds)
        {
            // One top-level resource: a cut anywhere inside it breaks its length prefix.
            foreach (int length in JsonMutations.LengthClasses(body.Length))
            {
                yield return new BadInputCase("otlp truncation", $"first {length} of {body.Length} bytes", HttpMethod.Post, path, body[..length], Protobuf, Otlp: true);
            }

            yield return new BadInputCase("otlp garbage", "0xFF bytes", HttpMethod.Post, path, [0xFF, 0xFF, 0xFF, 0xFF], Protobuf, Otlp: true);
            yield return new BadInputCase("otlp garbage", "a length beyond the body", HttpMethod.Post, path, [0x0A, 0xFF, 0xFF, 0x03, 0x01], Protobuf, Otlp: true);
            yield return new BadInputCase("otlp garbage", "a group wire type", HttpMethod.Post, path, [0x0B, 0x0C], Protobuf, Otlp: true);
            yield return new BadInputCase("otlp garbage", "a varint of 11 bytes", HttpMethod.Post, path, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], Protobuf, Otlp: true);
            yield return new BadInputCase("otlp garbage", "JSON sent as protobuf", HttpMethod.Post, path, """{"resourceLogs":[]}"""u8.ToArray(), Protobuf, Otlp: true);
            yield return new BadInputCase("otlp content type", "protobuf as text/plain", HttpMethod.Post, path, body, "text/plain", Otlp: true);
            yield return new BadInputCase("otlp content type", "protobuf without a content type", HttpMethod.Post, path, body, null, Otlp: true);
            yield return new BadInputCase("otlp encoding", "gzip that is not gzip", HttpMethod.Post, path, body, Protobuf, "gzip", Otlp: true);
            yield return new BadInputCase("otlp encoding", "gzip cut in half", HttpMethod.Post, path, Gzip(body)[..(Gzip(body).Length / 2)], Protobuf, "gzip", Otlp: true);
            yield return new BadInputCase("otlp encoding", "brotli", HttpMethod.Post, path, body, Protobuf, "br", Otlp: true);
            yield return new BadInputCase("otlp encoding", "gzip of truncated protobuf", HttpMethod.Post, path, Gzip(body[..(body.Length / 2)]), Protobuf, "gzip", Otlp: true);
        }
    }

    private static IEnumerable<BadInputCase> Encodings()
    {
        byte[] records = Encoding.UTF8.GetBytes(RecordsSeed);
        yield return new BadInputCase("encoding", "gzip that is not gzip", HttpMethod.Post, RecordsPath, records, Json, "gzip");
        yield return new BadInputCase("encoding", "gzip cut in half", HttpMethod.Post, RecordsPath, Gzip(records)[..(Gzip(records).Length / 2)], Json, "gzip");
        yield return new BadInputCase("encoding", "deflate", HttpMethod.Post, RecordsPath, records, Json, "deflate");
        yield return new BadInputCase("encoding", "gzip of invalid JSON", HttpMethod.Post, RecordsPath, Gzip(records[..^2]), Json, "gzip");
        yield return new BadInputCase("encoding", "gzip, twice named", HttpMethod.Post, RecordsPath, Gzip(records), Json, "gzip, gzip");
        yield return new BadInputCase("encoding", "topic body as gzip that is not", HttpMethod.Post, "/api/topics", Encoding.UTF8.GetBytes(TopicSeed), Json, "gzip");
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    // OTLP/JSON as exporters write it: lowerCamelCase, 64-bit integers as strings, ids in hex.
    private static string OtlpJsonText(IMessage message)
    {
        string json = new JsonFormatter(JsonFormatter.Settings.Default.WithFormatEnumsAsIntegers(true)).Format(message);
        foreach ((string base64, string hex) in new[] { (Convert.ToBase64String(TraceId), Convert.ToHexStringLower(TraceId)), (Convert.ToBase64String(SpanId), Convert.ToHexStringLower(SpanId)) })
        {
            json = json.Replace(base64, hex, StringComparison.Ordinal);
        }

        return json;
    }

    private static readonly byte[] TraceId = Convert.FromHexString("5b8efff798038103d269b633813fc60c");
    private static readonly byte[] SpanId = Convert.FromHexString("eee19b7ec3c1b174");

    private static Resource Service() => new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "corpus" } } } };

    private static ExportLogsServiceRequest LogsExport() => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = Service(),
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        LogRecords =
                        {
                            new LogRecord
                            {
                                TimeUnixNano = 1_700_000_000_000_000_000,
                                SeverityNumber = SeverityNumber.Info,
                                SeverityText = "Info",
                                Body = new AnyValue { StringValue = "hello" },
                                Attributes = { new KeyValue { Key = "a", Value = new AnyValue { IntValue = 1 } } },
                                Flags = 1,
                                TraceId = ByteString.CopyFrom(TraceId),
                                SpanId = ByteString.CopyFrom(SpanId),
                            },
                        },
                    },
                },
            },
        },
    };

    private static ExportMetricsServiceRequest MetricsExport() => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = Service(),
                ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "queue.depth", Gauge = new Gauge { DataPoints = { new NumberDataPoint { TimeUnixNano = 1_700_000_000_000_000_000, AsDouble = 4 } } } } } } },
            },
        },
    };

    private static ExportTraceServiceRequest TracesExport() => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = Service(),
                ScopeSpans =
                {
                    new ScopeSpans
                    {
                        Spans =
                        {
                            new Span
                            {
                                TraceId = ByteString.CopyFrom(TraceId),
                                SpanId = ByteString.CopyFrom(SpanId),
                                Name = "GET /",
                                Kind = Span.Types.SpanKind.Server,
                                StartTimeUnixNano = 1_700_000_000_000_000_000,
                                EndTimeUnixNano = 1_700_000_000_100_000_000,
                                Events = { new Span.Types.Event { Name = "e", TimeUnixNano = 1_700_000_000_050_000_000 } },
                            },
                        },
                    },
                },
            },
        },
    };
}
