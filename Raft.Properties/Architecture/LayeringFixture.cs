// Types for LayeringTests.TheScan_SeesReferencesHiddenInBodiesLambdasGenericsAndStateMachines:
// Upper uses Lower in every way a reference can hide from a reading of the source's using directives.
// (A constant's value is copied where it is used, so a const from another namespace leaves no trace in metadata.)

namespace Raft.Properties.Architecture.LayeringFixture.Lower
{
    internal sealed class BodyTarget;
    internal sealed class LambdaTarget;
    internal sealed class GenericTarget;
    internal sealed class TypeofTarget;
    internal sealed class AsyncTarget;
    internal class BaseTarget;

    [AttributeUsage(AttributeTargets.Class)]
    internal sealed class MarkerAttribute : Attribute;

    internal static class StaticTarget
    {
        public static int Value() => 1;
    }
}

namespace Raft.Properties.Architecture.LayeringFixture.Upper
{
    internal static class InAMethodBody
    {
        public static object Make() => new Raft.Properties.Architecture.LayeringFixture.Lower.BodyTarget();
    }

    internal static class InALambda
    {
        public static Func<object> Make() => () => new Lower.LambdaTarget();
    }

    internal static class AsAGenericArgument
    {
        public static int Count(IEnumerable<object> items) => items.OfType<Lower.GenericTarget>().Count();
    }

    internal static class InTypeof
    {
        public static Type Make() => typeof(Lower.TypeofTarget);
    }

    internal static class InAnAsyncMethod
    {
        public static async Task<object> Make()
        {
            await Task.Yield();
            return new Lower.AsyncTarget();
        }
    }

    internal sealed class AsABaseType : Lower.BaseTarget;

    [Lower.Marker]
    internal sealed class InAnAttribute;

    internal static class InAStaticCall
    {
        public static int Make() => Lower.StaticTarget.Value();
    }
}
