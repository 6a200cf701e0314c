// RaftVerify's libraries from their packages, through the public API only: one ported 6.824
// test on the correct core (Raft.Core's RaftNode, the lab's default), one seed, in virtual time,
// printed as go test -v prints it. Exit 0 if it passed, 1 if not.
using Raft.Core.Node;
using Raft.Model.Lab;

LabTest test = LabSuite.Get("TestInitialElection2A");
LabOutcome outcome = LabSuite.RunVerbose(test, seed: 1, Console.WriteLine, raft: RaftOptions.Default);
Console.WriteLine(outcome.Passed ? "PASS" : "FAIL");
return outcome.Passed ? 0 : 1;
