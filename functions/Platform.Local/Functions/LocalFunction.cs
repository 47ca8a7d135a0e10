using System.Reflection;

namespace Platform.Local.Functions;

/// <summary>A function of the Functions app as the local host serves it.</summary>
/// <param name="Name">The name in <c>[Function]</c>, as in functions.metadata.</param>
/// <param name="Trigger">The binding type, as in functions.metadata (<c>httpTrigger</c>, <c>timerTrigger</c>, <c>queueTrigger</c>).</param>
/// <param name="Method">The method to call.</param>
/// <param name="HttpMethods">For HTTP triggers: the verbs, lower-case.</param>
/// <param name="Route">For HTTP triggers: the route without the prefix.</param>
/// <param name="Source">For timer triggers the schedule, for queue triggers the queue name (either may be a %setting%).</param>
/// <param name="Connection">For queue triggers, the name of the setting that holds the storage connection (null: AzureWebJobsStorage).</param>
public sealed record LocalFunction(string Name, string Trigger, MethodInfo Method, IReadOnlyList<string> HttpMethods, string? Route, string? Source = null, string? Connection = null);
