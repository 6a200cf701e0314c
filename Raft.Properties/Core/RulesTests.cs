using Raft.Model.Contract;
using Raft.Core.Tracking;
using Raft.Core.Node;
using Raft.Core.Rules;
using Raft.Model.Exploration;
using Raft.Model.Variants;

namespace Raft.Properties.Core;

/// <summary>
/// Specifications of the rules type parameter: the core holds only the paper's rules, every
/// broken variant is a <see cref="RaftNode{TRules}"/> with its own rule set built outside the
/// core, and a rule set changes exactly the decision it names.
/// </summary>
public sealed class RulesTests
{
    [Fact]
    public void Core_HoldsOnlyTheStandardRules_AndNoBugSwitch()
    {
        Type[] types = typeof(RaftNode).Assembly.GetTypes();
        Type[] ruleSets = types.Where(t => !t.IsInterface && typeof(IRaftRules).IsAssignableFrom(t)).ToArray();
        Assert.Equal([typeof(StandardRules)], ruleSets);
        Assert.DoesNotContain(types, t => t.Name.Contains("Fault", StringComparison.Ordinal));
        Assert.True(typeof(RaftNode).IsSubclassOf(typeof(RaftNode<StandardRules>)));
    }

    [Fact]
    public void EveryBugVariant_IsARaftNodeWithItsOwnRules_BuiltOutsideTheCore()
    {
        var seen = new HashSet<Type>();
        foreach (BugVariant bug in BugCatalog.All.Concat(BugCatalog.Uncatalogued).Concat(BugCatalog.Services.Where(b => !b.BreaksService)))
        {
            Raft.Model.Contract.IRaftNode node = bug.Factory(0, 3, 1, RaftOptions.Default, PersistedState.Empty);
            Type type = node.GetType(); // the core behind the contract: CoreNode<TRules> around RaftNode<TRules>
            Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Raft.Model.Nodes.CoreNode<>), $"{bug.Name}: {type}");
            Type rules = type.GetGenericArguments()[0];
            if (bug.Name == "forgets-snapshot-on-restart")
            {
                // a variant of the node contract (a factory), not of the rules: the correct core, built from less than its disk holds
                Assert.Equal(typeof(StandardRules), rules);
                continue;
            }
            Assert.NotEqual(typeof(StandardRules), rules);
            Assert.Equal(typeof(VoteWithoutLogCheck).Assembly, rules.Assembly);
            Assert.True(seen.Add(rules), $"{bug.Name} shares its rules with another variant");
            Assert.Same(bug.Factory, BugCatalog.FactoryFor(bug.Name));
        }
        Assert.Equal(17, seen.Count); // 13 in the catalog, the three read variants, and commit-beyond-last-new-entry
        Assert.True(BugCatalog.IsKnown("commit-beyond-last-new-entry"));
        Assert.Null(BugCatalog.FactoryFor("none"));
    }

    /// <summary>A follower holding entries 1..3 of term 1 hears a term-2 heartbeat matching at 1 with leaderCommit 3.</summary>
    private static long FollowerCommitAfterHeartbeat<TRules>() where TRules : struct, IRaftRules
    {
        var node = new RaftNode<TRules>(0, 3, 1, null, new PersistedState { Term = 1, Entries = Msg.Entries(1, 1, 1) });
        node.Step(Msg.Append(from: 1, to: 0, term: 2, prev: 1, prevTerm: 1, commit: 3));
        return node.CommitIndex;
    }

    [Fact]
    public void FollowerCommit_IsBoundedByTheLastNewEntry_UnderTheStandardRulesOnly()
    {
        Assert.Equal(1, FollowerCommitAfterHeartbeat<StandardRules>()); // Figure 2 step 5: min(leaderCommit, last new entry)
        Assert.Equal(3, FollowerCommitAfterHeartbeat<CommitBeyondLastNewEntry>()); // entries 2 and 3 were never checked against the leader
    }

    [Fact]
    public void Quorum_CommittedIndex_TakesTheQuorumThLargestMatch()
    {
        long[] matches = [5, 3, 9, 1, 7];
        Assert.Equal(Quorum.CommittedIndex(matches), Quorum.CommittedIndex(matches, StandardRules.QuorumSize(5)));
        Assert.Equal(5, Quorum.CommittedIndex(matches, 3));
        Assert.Equal(7, Quorum.CommittedIndex(matches, QuorumOffByOne.QuorumSize(5)));
    }
}
