using DevLab.JmesPath;
using DevLab.JmesPath.Functions;
using Newtonsoft.Json.Linq;
using Platform.Core.Streams.Definition;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// A compiled JMESPath expression (<see href="https://jmespath.org/specification.html"/>, the query language of the AWS
/// and Azure CLIs: a specification with a compliance suite, and JmesPath.Net passes it), with the platform's time
/// functions: <c>to_epoch_ms(iso_text)</c>, <c>floor_time(ms, size_ms)</c> and <c>format_time(ms)</c> (ISO 8601, UTC).
/// Evaluated over the record's value; <c>@</c> is the value itself. No function reads the clock, so a replay computes
/// the same result.
/// </summary>
public sealed class JsonPath
{
    private readonly DevLab.JmesPath.Expressions.JmesPathExpression _expression;

    private JsonPath(string text, DevLab.JmesPath.Expressions.JmesPathExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="StreamJobException"/> naming <paramref name="where"/> when it does not parse.</summary>
    public static JsonPath Compile(string text, string where)
    {
        ArgumentNullException.ThrowIfNull(text);
        var engine = new JmesPath();
        engine.FunctionRepository.Register<ToEpochMs>().Register<FloorTime>().Register<FormatTime>();
        try
        {
            return new JsonPath(text, engine.Parse(text));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new StreamJobException($"{where}: '{text}' is not a JMESPath expression: {e.Message}");
        }
    }

    /// <summary>The expression's result over <paramref name="value"/> (null for JSON null or no match).</summary>
    /// <exception cref="StreamRecordException">The expression failed on this value (a function given the wrong type).</exception>
    public JToken? Evaluate(JToken? value)
    {
        JToken? result;
        try
        {
            result = _expression.Transform(value ?? JValue.CreateNull()).AsJToken();
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new StreamRecordException($"'{Text}' failed on this record: {e.Message}");
        }

        return result is null || result.Type == JTokenType.Null ? null : result;
    }

    /// <summary>JMESPath truthiness: false, null, an empty string, array or object are false; anything else is true.</summary>
    public bool Test(JToken? value) => Evaluate(value) switch
    {
        null => false,
        JValue { Type: JTokenType.Boolean } b => b.Value<bool>(),
        JValue { Type: JTokenType.String } s => s.Value<string>()!.Length > 0,
        JContainer c => c.HasValues,
        _ => true,
    };

    /// <summary>Unix ms of an ISO 8601 text.</summary>
    private sealed class ToEpochMs() : JmesPathFunction("to_epoch_ms", 1)
    {
        public override JToken Execute(params JmesPathFunctionArgument[] args) =>
            args[0].Token is JValue { Type: JTokenType.String } s && DateTimeOffset.TryParse(s.Value<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
                ? new JValue(t.ToUnixTimeMilliseconds())
                : JValue.CreateNull();
    }

    /// <summary>A time in ms rounded down to a multiple of a size in ms.</summary>
    private sealed class FloorTime() : JmesPathFunction("floor_time", 2)
    {
        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            EnsureNumbers(args);
            long t = args[0].Token.Value<long>(), size = args[1].Token.Value<long>();
            return size <= 0 ? JValue.CreateNull() : new JValue(t - (((t % size) + size) % size));
        }
    }

    /// <summary>A time in ms as ISO 8601 UTC text.</summary>
    private sealed class FormatTime() : JmesPathFunction("format_time", 1)
    {
        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            EnsureNumbers(args);
            return new JValue(DateTimeOffset.FromUnixTimeMilliseconds(args[0].Token.Value<long>()).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
