// Both frontier implementations through one suite, plus what only the
// persistent one promises: everything not Done() survives a reopen.
#include "crawler/frontier.h"

#include <functional>

#include <gtest/gtest.h>

#include "tests/testing/paths.h"

namespace jikji::crawler {
namespace {

using ::jikji::testing::TempDir;

FrontierItem Item(const std::string& host, const std::string& path, uint8_t priority = 0) {
  FrontierItem item;
  item.host = host;
  item.url = host + path;
  item.priority = priority;
  item.depth = 2;
  item.enqueued_micros = 1234;
  return item;
}

struct Impl {
  const char* name;
  std::function<std::unique_ptr<Frontier>(const std::string& dir, size_t max_queued)> make;
};

void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

const Impl kImpls[] = {
    {"Memory", [](const std::string&, size_t max) { return NewMemoryFrontier(max); }},
    {"Rocks",
     [](const std::string& dir, size_t max) {
       RocksFrontierOptions o;
       o.max_queued = max;
       o.host_buffer = 3;  // small, so refills and the resume key are exercised
       auto f = NewRocksFrontier(dir, o);
       EXPECT_TRUE(f.ok()) << f.status().ToString();
       return std::move(*f);
     }},
};

class FrontierTest : public ::testing::TestWithParam<Impl> {
 protected:
  std::unique_ptr<Frontier> Make(size_t max_queued = 1000) { return GetParam().make(dir_.Sub("f"), max_queued); }
  TempDir dir_;
};

TEST_P(FrontierTest, EachUrlQueuedOnce) {
  auto f = Make();
  EXPECT_TRUE(f->Push(Item("http://a", "/1")));
  EXPECT_FALSE(f->Push(Item("http://a", "/1")));
  EXPECT_TRUE(f->Seen("http://a/1"));
  f->MarkSeen("http://a/2");
  EXPECT_FALSE(f->Push(Item("http://a", "/2")));
  EXPECT_EQ(f->Queued(), 1u);
}

TEST_P(FrontierTest, PriorityFirstThenArrivalPerHost) {
  auto f = Make();
  for (int i = 0; i < 10; ++i) f->Push(Item("http://a", "/low" + std::to_string(i), 0));
  f->Push(Item("http://b", "/other", 9));
  f->Push(Item("http://a", "/high", 5));
  std::vector<std::string> order;
  while (auto item = f->Pop("http://a")) {
    order.push_back(item->url);
    EXPECT_EQ(item->depth, 2);
    EXPECT_EQ(item->enqueued_micros, 1234);
    f->Done(*item);
  }
  ASSERT_EQ(order.size(), 11u);
  EXPECT_EQ(order[0], "http://a/high");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(order[i + 1], "http://a/low" + std::to_string(i));
  EXPECT_EQ(f->QueuedFor("http://b"), 1u);
  EXPECT_EQ(f->Queued(), 1u);
  EXPECT_EQ(f->Hosts(), std::vector<std::string>{"http://b"});
}

TEST_P(FrontierTest, HigherPriorityPushedAfterReadAheadStillComesFirst) {
  auto f = Make();
  for (int i = 0; i < 8; ++i) f->Push(Item("http://a", "/" + std::to_string(i)));
  auto first = f->Pop("http://a");  // reads ahead
  ASSERT_TRUE(first);
  f->Push(Item("http://a", "/urgent", 7));
  auto next = f->Pop("http://a");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url, "http://a/urgent");
}

TEST_P(FrontierTest, RetryPutsItemBackAndDoneForgetsIt) {
  auto f = Make();
  f->Push(Item("http://a", "/1"));
  auto item = f->Pop("http://a");
  ASSERT_TRUE(item);
  EXPECT_FALSE(f->Pop("http://a"));
  EXPECT_EQ(f->Queued(), 1u) << "popped but not done still counts";
  item->attempts = 1;
  f->Retry(*item);
  auto again = f->Pop("http://a");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  f->Done(*again);
  EXPECT_EQ(f->Queued(), 0u);
  EXPECT_FALSE(f->Pop("http://a"));
}

TEST_P(FrontierTest, FullFrontierDropsAndCounts) {
  auto f = Make(/*max_queued=*/3);
  for (int i = 0; i < 5; ++i) f->Push(Item("http://a", "/" + std::to_string(i)));
  EXPECT_EQ(f->Queued(), 3u);
  EXPECT_EQ(f->dropped(), 2u);
}

TEST_P(FrontierTest, ClearSeenAllowsANewCrawl) {
  auto f = Make();
  f->Push(Item("http://a", "/1"));
  auto item = f->Pop("http://a");
  f->Done(*item);
  EXPECT_FALSE(f->Push(Item("http://a", "/1")));
  f->ClearSeen();
  EXPECT_TRUE(f->Push(Item("http://a", "/1")));
}

TEST_P(FrontierTest, PushAllThenDoneQueuesNewLinksOnceAndForgetsThePage) {
  auto f = Make(/*max_queued=*/4);
  f->Push(Item("http://a", "/page"));
  f->Push(Item("http://a", "/old"));
  auto page = f->Pop("http://a");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->url, "http://a/page");
  // Two new links (one given twice), one seen before, one over the cap.
  std::vector<FrontierItem> links = {Item("http://a", "/1"), Item("http://b", "/2"),
                                     Item("http://a", "/1"), Item("http://a", "/old"),
                                     Item("http://b", "/3")};
  EXPECT_EQ(f->PushAllThenDone(links, *page), 2u);
  EXPECT_EQ(f->dropped(), 1u);
  EXPECT_EQ(f->Queued(), 3u) << "/old, /1, /2; the page is done";
  EXPECT_TRUE(f->Seen("http://a/1"));
  EXPECT_FALSE(f->Seen("http://b/3"));
  std::vector<FrontierItem> popped;
  for (const char* host : {"http://a", "http://b"}) {
    while (auto item = f->Pop(host)) popped.push_back(*item);
  }
  std::vector<std::string> urls;
  for (const FrontierItem& item : popped) urls.push_back(item.url);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://a/old", "http://a/1", "http://b/2"}));
  // Popped items count until done: one more link fits before /old is done.
  EXPECT_EQ(f->PushAllThenDone({Item("http://c", "/4"), Item("http://c", "/5")}, popped[0]), 1u);
  EXPECT_EQ(f->Queued(), 3u) << "/1, /2, /4";
  EXPECT_EQ(f->dropped(), 2u);
}

INSTANTIATE_TEST_SUITE_P(All, FrontierTest, ::testing::ValuesIn(kImpls),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RocksFrontierTest, ReopenResumesEverythingNotDone) {
  TempDir dir;
  RocksFrontierOptions o;
  o.host_buffer = 2;
  {
    auto f = NewRocksFrontier(dir.Sub("f"), o);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    for (int i = 0; i < 6; ++i) (*f)->Push(Item("http://a", "/" + std::to_string(i)));
    (*f)->Push(Item("http://b", "/x"));
    auto done = (*f)->Pop("http://a");   // fetched and stored
    (*f)->Done(*done);
    auto lost = (*f)->Pop("http://a");   // in flight when the process died
    ASSERT_TRUE(lost);
  }
  auto f = NewRocksFrontier(dir.Sub("f"), o);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->Queued(), 6u);
  EXPECT_FALSE((*f)->Push(Item("http://a", "/0"))) << "the seen set persists";
  std::vector<std::string> urls;
  while (auto item = (*f)->Pop("http://a")) {
    urls.push_back(item->url);
    (*f)->Done(*item);
  }
  EXPECT_EQ(urls, (std::vector<std::string>{"http://a/1", "http://a/2", "http://a/3", "http://a/4", "http://a/5"}));
  // New items continue the arrival order after a reopen.
  (*f)->Push(Item("http://a", "/6"));
  auto six = (*f)->Pop("http://a");
  ASSERT_TRUE(six);
  EXPECT_EQ(six->url, "http://a/6");
}

TEST(RocksFrontierTest, PushAllThenDoneSurvivesAReopen) {
  TempDir dir;
  {
    auto f = NewRocksFrontier(dir.Sub("f"));
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    (*f)->Push(Item("http://a", "/page"));
    auto page = (*f)->Pop("http://a");
    ASSERT_TRUE(page);
    EXPECT_EQ((*f)->PushAllThenDone({Item("http://a", "/1"), Item("http://a", "/2")}, *page), 2u);
  }
  auto f = NewRocksFrontier(dir.Sub("f"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->Queued(), 2u) << "the links, not the page";
  EXPECT_FALSE((*f)->Push(Item("http://a", "/page")));
  EXPECT_FALSE((*f)->Push(Item("http://a", "/2")));
  std::vector<std::string> urls;
  while (auto item = (*f)->Pop("http://a")) urls.push_back(item->url);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://a/1", "http://a/2"}));
}

TEST(RocksFrontierTest, SecondOpenOfALockedFrontierFails) {
  TempDir dir;
  auto first = NewRocksFrontier(dir.Sub("f"));
  ASSERT_TRUE(first.ok());
  auto second = NewRocksFrontier(dir.Sub("f"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition) << second.status().ToString();
}

}  // namespace
}  // namespace jikji::crawler
