using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Platform.Local.Functions;

/// <summary>Finds the functions an assembly declares, the way the Functions SDK does for functions.metadata.</summary>
public static class FunctionCatalog
{
    /// <summary>Every <c>[Function]</c> method of the assembly with its trigger.</summary>
    /// <exception cref="InvalidOperationException">A function has a trigger or parameter the local host cannot serve.</exception>
    public static IReadOnlyList<LocalFunction> Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var result = new List<LocalFunction>();
        foreach (Type type in assembly.GetTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                result.Add(Describe(function.Name, method));
            }
        }

        return result;
    }

    private static LocalFunction Describe(string name, MethodInfo method)
    {
        foreach (ParameterInfo parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
            {
                if (parameter.ParameterType != typeof(HttpRequest))
                {
                    throw new InvalidOperationException($"Function {name}: the local host binds HTTP triggers to HttpRequest only.");
                }

                string[] methods = [.. (http.Methods ?? ["get", "post"]).Select(m => m.ToLowerInvariant())];
                return new LocalFunction(name, "httpTrigger", method, methods, http.Route ?? name);
            }

            if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
            {
                return new LocalFunction(name, "timerTrigger", method, [], null, timer.Schedule);
            }

            if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
            {
                return parameter.ParameterType == typeof(string)
                    ? new LocalFunction(name, "queueTrigger", method, [], null, queue.QueueName, queue.Connection)
                    : throw new InvalidOperationException($"Function {name}: the local host binds queue triggers to string only.");
            }
        }

        throw new InvalidOperationException($"Function {name} ({method.DeclaringType?.Name}.{method.Name}) has a trigger the local host does not serve.");
    }
}
