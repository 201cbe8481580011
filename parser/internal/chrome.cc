#include "parser/internal/chrome.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <unordered_map>

#include "parser/internal/dates.h"
#include "parser/internal/text.h"

namespace jikji::parser::internal {
namespace {

// Substrings of the lower-cased class/id text.
constexpr std::string_view kStrongPositive[] = {
    "body",    "content",  "text",     "view_con",       "art_txt", "dic_area",
    "viewer",  "news_view", "newsct_article", "read_body", "articlebody", "story"};
constexpr std::string_view kWeakPositive[] = {"article", "post", "news", "entry"};
constexpr std::string_view kNegativeSub[] = {
    "nav",      "menu",     "footer",   "header",    "sidebar",  "comment",  "reply",
    "share",    "sns",      "social",   "related",   "ranking",  "popular",  "ticker",
    "stock",    "banner",   "promo",    "font",      "copyright", "breadcrumb", "pagination",
    "login",    "gnb",      "lnb",      "snb",       "widget",   "recommend", "subscribe",
    "advert",   "sponsor",  "toolbar",  "btn",       "button",   "reaction", "emotion",
    "hotnews",  "most_view", "mostview", "aside",    "quick",    "search",   "print",
    "scrap",    "utility",  "rank",     "footnote_nav", "combo",   "cookie",   "popup",
    "modal",    "outbrain", "taboola",  "dable",     "recom",    "reple",
    "disqus"};
// Whole tokens (split on anything but [a-z0-9]).
constexpr std::string_view kNegativeToken[] = {"ad",  "ads", "tag",  "tags", "top", "util", "adv",
                                               "bn",  "hot", "more", "list", "cmt", "ip"};
// Whole class tokens that hide an element visually.
constexpr std::string_view kHiddenClass[] = {"blind",        "sr-only",  "screen_out",
                                             "visually-hidden", "hidden", "hide",
                                             "skip",         "invisible", "a11y-hidden",
                                             "screen-reader-text", "offscreen", "ir_pm"};

bool HasClassToken(std::string_view s, std::string_view token) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i && s.substr(i, j - i) == token) return true;
    i = j;
  }
  return false;
}

// Which of a fixed set of substrings occur in a text, in one pass. A bit per
// pair of leading bytes says whether any needle may start there, so most
// positions cost one table look-up; where one may, the needles starting
// with that byte are compared. One memmem call per needle cost more (its
// setup, and a pass per needle) on the short texts searched here. Each
// needle raises its bits in the result.
class NeedleSet {
 public:
  // REQUIRES: `needle` starts with an ASCII byte or a UTF-8 lead byte.
  void Add(std::string_view needle, uint32_t bits) {
    if (needle.empty()) return;
    const unsigned first = static_cast<unsigned char>(needle[0]);
    if (needle.size() == 1) {
      for (unsigned second = 0; second < 256; ++second) Mark((first << 8) | second);
    } else {
      Mark((first << 8) | static_cast<unsigned char>(needle[1]));
    }
    Needle k{needle, bits, 0};
    if (needle.size() >= 4) std::memcpy(&k.head, needle.data(), 4);
    by_first_[first].push_back(k);
  }
  template <typename Needles>
  void AddAll(const Needles& needles, uint32_t bits) {
    for (std::string_view k : needles) Add(k, bits);
  }

  // The bits of the needles found in `s`, well-formed UTF-8 (the text of a
  // parsed tree is). Needles are whole characters, so only positions where
  // a character starts are tried: after a lead byte the search moves on by
  // the length it announces.
  uint32_t Find(std::string_view s) const {
    uint32_t found = 0;
    const size_t n = s.size();
    for (size_t i = 0; i < n; i += kStep[static_cast<unsigned char>(s[i]) >> 4]) {
      const unsigned first = static_cast<unsigned char>(s[i]);
      const unsigned pair = (first << 8) | (i + 1 < n ? static_cast<unsigned char>(s[i + 1]) : 0u);
      if ((may_start_[pair >> 6] >> (pair & 63) & 1) == 0) continue;
      for (const Needle& k : by_first_[first]) {
        if ((found & k.bits) == k.bits || i + k.text.size() > n) continue;
        if (k.text.size() >= 4) {  // four bytes at once first: "다" starts many words
          uint32_t head;
          std::memcpy(&head, s.data() + i, 4);
          if (head != k.head) continue;
        }
        if (s.compare(i, k.text.size(), k.text) == 0) found |= k.bits;
      }
    }
    return found;
  }

 private:
  struct Needle {
    std::string_view text;
    uint32_t bits;
    uint32_t head;  // the first four bytes, for needles that long
  };
  void Mark(unsigned pair) { may_start_[pair >> 6] |= uint64_t{1} << (pair & 63); }

  // Bytes to the next position tried, by the high nibble of the byte at the
  // current one: ASCII and continuation bytes 1, C0..DF 2, E0..EF 3, F0..FF 4.
  // In ill-formed text a skipped byte may be a lead: the needles are then
  // looked for in the characters as their leads announce them.
  static constexpr uint8_t kStep[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};

  std::array<uint64_t, 65536 / 64> may_start_{};  // by the first two bytes
  std::array<std::vector<Needle>, 256> by_first_;
};

// Words of buttons and small chrome rows; a short line made only of these
// (and numbers) is chrome.
constexpr std::string_view kChromeWords[] = {
    "가장작게", "작게", "기본", "크게", "가장크게", "글자크기", "글씨크기", "글자", "크기",
    "본문", "인쇄", "프린트", "스크랩", "공유", "공유하기", "닫기", "좋아요", "화나요",
    "슬퍼요", "싫어요", "추천해요", "훈훈해요", "놀랐어요", "감동이에요", "후속기사",
    "원해요", "후속", "기사", "추천", "댓글", "관련기사", "많이", "본", "뉴스", "많이본뉴스",
    "인기기사", "주요뉴스", "최신뉴스", "구독", "구독하기", "카카오톡", "카카오", "페이스북",
    "트위터", "네이버", "밴드", "URL", "url", "복사", "링크", "이메일", "메일", "보내기",
    "목록", "이전", "다음", "이전글", "다음글", "맨위로", "위로", "바로가기", "SNS",
    "기사공유", "폰트", "키우기", "줄이기", "듣기", "기사듣기", "음성", "읽기", "번역",
    "글자크기설정", "스크랩하기", "저장", "북마크", "신고", "신고하기", "수정", "삭제",
    "답글", "쓰기", "로그인", "회원가입", "Facebook", "Twitter", "Kakao", "X", "Share",
    "Print", "Email", "기사저장", "글꼴", "작게보기", "크게보기", "보기", "제보", "제보하기",
    "홈", "전체메뉴", "검색", "+", "-", "|", "/", "·", "…", "0", "좋아요0"};

bool IsChromeWord(std::string_view w) {
  for (std::string_view k : kChromeWords) {
    if (k == w) return true;
  }
  return false;
}

bool IsAllDigits(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!((c >= '0' && c <= '9') || c == ',' || c == '(' || c == ')')) return false;
  }
  return true;
}

constexpr std::string_view kDateLabels[] = {"기사입력", "최종수정", "입력", "수정", "승인",
                                            "등록", "작성일", "업데이트", "발행", "송고",
                                            "게재", "Posted", "Updated", "Published"};

bool StartsWithDateLabel(std::string_view line) {
  for (std::string_view l : kDateLabels) {
    if (text::StartsWith(line, l)) return true;
  }
  return false;
}

// Words that come right before "기자" but are not names.
constexpr std::string_view kNotNames[] = {
    "사진", "영상", "취재", "담당", "전문", "객원", "인턴", "수습", "선임", "수석", "기획",
    "편집", "종합", "온라인", "디지털", "뉴스", "본지", "현장", "일선", "여성", "방송",
    "신문", "외신", "모든", "해당", "전직", "현직", "소속", "출입", "경제", "정치",
    "사회", "산업", "국제", "문화", "대기자", "스포츠", "연예", "기자", "한국", "우리",
    "기고", "특별", "명예", "시민", "학생", "청소년", "당시"};
constexpr std::string_view kTitleWords[] = {"선임", "수석", "객원", "인턴", "전문",
                                            "수습", "대", "취재", "사진", "영상"};

bool IsNotName(std::string_view w) {
  for (std::string_view k : kNotNames) {
    if (k == w) return true;
  }
  return false;
}

// Decodes the code point that ends just before byte `end`; sets *start.
char32_t PrevCodePoint(std::string_view s, size_t end, size_t* start) {
  size_t i = end;
  if (i == 0) {
    *start = 0;
    return 0;
  }
  --i;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  *start = i;
  size_t k = i;
  return text::NextCodePoint(s, &k);
}

// The run of Hangul syllables ending at byte `end` (no spaces); its start in *begin.
std::string_view HangulRunBefore(std::string_view s, size_t end, size_t* begin) {
  size_t pos = end;
  while (pos > 0) {
    size_t start;
    char32_t c = PrevCodePoint(s, pos, &start);
    if (!text::IsHangulSyllable(c)) break;
    pos = start;
  }
  *begin = pos;
  return s.substr(pos, end - pos);
}

size_t SyllableCount(std::string_view run) { return run.size() / 3; }

size_t SkipSpacesBack(std::string_view s, size_t end) {
  while (end > 0 && s[end - 1] == ' ') --end;
  return end;
}

void AddUnique(std::vector<std::string>* out, std::string name) {
  if (name.empty()) return;
  if (std::find(out->begin(), out->end(), name) == out->end()) out->push_back(std::move(name));
}

// Bounds of the per-thread memo of HintsForClassId.
constexpr size_t kMaxMemoEntries = 4096;
constexpr size_t kMaxMemoKeyBytes = 256;

// The substring needles of ComputeHints, each with the hint it raises.
enum HintBit : uint32_t {
  kStrongBit = 1, kWeakBit = 2, kNegativeBit = 4, kCaptionBit = 8, kImageBit = 16, kDeckBit = 32
};
constexpr std::string_view kCaptionSub[] = {"caption",  "img_desc",   "photo_desc", "txt-desc",
                                            "img-desc", "photo-desc", "pic_txt",    "photo_txt"};
constexpr std::string_view kImageSub[] = {"photo", "img", "image", "figure", "pic", "thumb"};
constexpr std::string_view kDeckSub[] = {"subtit",  "sub_tit", "sub-tit", "tit-sub",
                                         "tit_sub", "summary", "deck",    "standfirst"};

const NeedleSet& HintNeedles() {
  static const NeedleSet set = [] {
    NeedleSet t;
    t.AddAll(kStrongPositive, kStrongBit);
    t.AddAll(kWeakPositive, kWeakBit);
    t.AddAll(kNegativeSub, kNegativeBit);
    t.AddAll(kCaptionSub, kCaptionBit);
    t.AddAll(kImageSub, kImageBit);
    t.AddAll(kDeckSub, kDeckBit);
    return t;
  }();
  return set;
}

// The hints of one attribute value: the class (`is_class`) or the id. No
// needle holds a separator, so the hints of a class/id pair are those of its
// two values or-ed together (the hidden classes come from the class alone).
ClassHints ComputeHints(std::string_view value, bool is_class) {
  ClassHints h;
  std::string s = AsciiLower(value);
  const std::string_view all = s;
  const uint32_t found = HintNeedles().Find(all);
  // Whole tokens: split on anything but [a-z0-9].
  std::vector<std::string_view> tokens;
  for (size_t i = 0; i < all.size();) {
    auto alnum = [&](size_t k) { return (all[k] >= 'a' && all[k] <= 'z') || (all[k] >= '0' && all[k] <= '9'); };
    while (i < all.size() && !alnum(i)) ++i;
    size_t j = i;
    while (j < all.size() && alnum(j)) ++j;
    if (j > i) tokens.push_back(all.substr(i, j - i));
    i = j;
  }
  auto has_token = [&](std::string_view k) {
    return std::find(tokens.begin(), tokens.end(), k) != tokens.end();
  };
  h.strong_positive = (found & kStrongBit) != 0;
  h.weak_positive = (found & kWeakBit) != 0;
  h.negative = (found & kNegativeBit) != 0 ||
               std::any_of(std::begin(kNegativeToken), std::end(kNegativeToken), has_token);
  h.caption = (found & kCaptionBit) != 0 || has_token("cap") || has_token("credit");
  h.image = (found & kImageBit) != 0;
  h.deck = (found & kDeckBit) != 0;
  if (is_class) {
    std::string class_lower = s;
    for (char& c : class_lower) {
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    for (std::string_view k : kHiddenClass) {
      if (HasClassToken(class_lower, k)) {
        h.hidden = true;
        break;
      }
    }
  }
  return h;
}

// ComputeHints remembered per thread: a site repeats a few dozen class
// values on every page (ids, often unique, are short to compute).
ClassHints MemoHints(std::string_view value, bool is_class) {
  if (value.empty()) return ClassHints();
  thread_local std::unordered_map<std::string, ClassHints> memo;
  thread_local std::string key;  // a kind byte, then the value
  key.assign(1, is_class ? 'c' : 'i');
  key.append(value);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  ClassHints h = ComputeHints(value, is_class);
  if (key.size() <= kMaxMemoKeyBytes) {
    if (memo.size() >= kMaxMemoEntries) memo.clear();
    memo.emplace(key, h);
  }
  return h;
}

}  // namespace

ClassHints HintsForClassId(std::string_view cls, std::string_view id) {
  ClassHints h = MemoHints(cls, true);
  const ClassHints i = MemoHints(id, false);
  h.strong_positive |= i.strong_positive;
  h.weak_positive |= i.weak_positive;
  h.negative |= i.negative;
  h.caption |= i.caption;
  h.image |= i.image;
  h.deck |= i.deck;
  return h;
}

namespace {

// The substrings IsChromeLine looks for, in groups.
enum LineNeedle : uint32_t {
  kNoReprint = 1,     // "무단전재", "All rights reserved"...
  kCopyrightSign = 2, // "ⓒ", "©"
  kReporterPage = 4,  // "기자페이지", "구독하기"...
  kReporter = 8,      // "기자", "특파원"
  kAt = 16,           // "@"
  kSourceNote = 32,   // "편집방향", "공공누리"...
  kArticleWord = 64,  // "기사"
};

const NeedleSet& LineNeedles() {
  static const NeedleSet set = [] {
    NeedleSet t;
    t.AddAll(std::initializer_list<std::string_view>{"무단전재", "무단 전재", "재배포 금지", "재배포금지",
                                                     "All rights reserved", "All Rights Reserved",
                                                     "ALL RIGHTS RESERVED"},
             kNoReprint);
    t.AddAll(std::initializer_list<std::string_view>{"ⓒ", "©"}, kCopyrightSign);
    t.AddAll(std::initializer_list<std::string_view>{"기자페이지", "기자의 다른기사", "기자의 다른 기사",
                                                     "다른기사 보기", "기자 구독", "구독하기"},
             kReporterPage);
    t.AddAll(std::initializer_list<std::string_view>{"기자", "특파원"}, kReporter);
    t.Add("@", kAt);
    t.AddAll(std::initializer_list<std::string_view>{"편집방향", "보도자료를 바탕으로", "공공누리", "출처표시"},
             kSourceNote);
    t.Add("기사", kArticleWord);
    return t;
  }();
  return set;
}

}  // namespace

bool IsChromeLine(std::string_view line) {
  line = text::Trim(line);
  if (line.empty()) return true;
  size_t chars = text::CountChars(line);
  if (chars > 400) return false;
  const uint32_t found = LineNeedles().Find(line);
  auto has = [found](uint32_t bits) { return (found & bits) != 0; };
  if (has(kNoReprint)) return true;
  if (chars <= 200 && (text::StartsWith(line, "Copyright") || text::StartsWith(line, "COPYRIGHT") ||
                       text::StartsWith(line, "copyright") || has(kCopyrightSign) ||
                       text::StartsWith(line, "저작권자"))) {
    return true;
  }
  if (chars <= 300 && (text::StartsWith(line, "▶") || text::StartsWith(line, "☞") ||
                       text::StartsWith(line, "▷") || text::StartsWith(line, "※ 관련"))) {
    return true;
  }
  if (chars <= 100 && has(kReporterPage)) return true;
  // Bylines: "홍길동 기자 hong@example.com", "정치부 홍길동 기자".
  if (chars <= 60 && has(kReporter)) {
    if (has(kAt) || text::EndsWith(line, "기자") || text::EndsWith(line, "특파원") ||
        text::EndsWith(line, "기자)") || text::EndsWith(line, "기자]")) {
      return true;
    }
  }
  // Contact lines, notes about the source, disclaimers, licence boxes, IPs.
  if (chars <= 150 && (text::StartsWith(line, "문의 :") || text::StartsWith(line, "문의:") ||
                       text::StartsWith(line, "문의 ") || text::StartsWith(line, "IP :") ||
                       text::StartsWith(line, "IP:") || has(kSourceNote))) {
    return true;
  }
  if (chars <= 200 && (text::StartsWith(line, "<") || text::StartsWith(line, "〈")) &&
      (text::EndsWith(line, ">") || text::EndsWith(line, "〉")) && has(kArticleWord)) {
    return true;
  }
  // A lone e-mail address.
  if (chars <= 50 && has(kAt) && line.find(' ') == std::string_view::npos) return true;
  // Date lines: "입력 2025.02.06 15:15 수정 2025.02.06 16:00".
  if (chars <= 80) {
    DateMatch m = FindDate(line);
    if (!m.iso.empty() && (StartsWithDateLabel(line) || m.end - m.begin + 12 >= line.size())) {
      return true;
    }
  }
  // Rows of buttons and counters.
  if (chars <= 100) {
    bool any_word = false;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      std::string_view w = line.substr(i, j - i);
      i = j;
      if (w.empty()) continue;
      if (IsAllDigits(w)) continue;
      // "좋아요3" style: a chrome word followed by a count.
      size_t k = w.size();
      while (k > 0 && w[k - 1] >= '0' && w[k - 1] <= '9') --k;
      if (!IsChromeWord(w) && !(k < w.size() && IsChromeWord(w.substr(0, k)))) return false;
      any_word = true;
    }
    return any_word;
  }
  return false;
}

namespace {

// Press names end with these; a bracketed tag ending with one is an agency tag.
constexpr std::string_view kPressSuffixes[] = {"뉴스", "일보", "신문", "뉴시스", "뉴스1", "경제",
                                               "타임즈", "타임스", "저널", "투데이", "미디어",
                                               "닷컴", "통신", "방송", "데일리", "포커스"};
// A dateline tag or "홍길동 기자 =" lead is at most this long (bytes).
constexpr size_t kMaxDatelineBytes = 120;

bool EndsWithPressName(std::string_view s) {
  s = text::Trim(s);
  for (std::string_view suffix : kPressSuffixes) {
    if (text::EndsWith(s, suffix)) return true;
  }
  return false;
}

// "홍길동 기자 =", "홍길동·김철수 기자=", "워싱턴=홍길동 특파원 =" at the start of
// `s`: the length to cut, or 0.
size_t ReporterLead(std::string_view s) {
  size_t eq = s.find('=');
  if (eq == std::string_view::npos || eq > kMaxDatelineBytes) return 0;
  // The last '=' of the lead: "워싱턴=홍길동 특파원 =".
  size_t last = eq;
  while (true) {
    size_t next = s.find('=', last + 1);
    if (next == std::string_view::npos || next > kMaxDatelineBytes) break;
    std::string_view between = text::Trim(s.substr(last + 1, next - last - 1));
    if (between.find("기자") == std::string_view::npos &&
        between.find("특파원") == std::string_view::npos) {
      break;
    }
    last = next;
  }
  std::string_view lead = text::Trim(s.substr(0, last));
  if (!(text::EndsWith(lead, "기자") || text::EndsWith(lead, "특파원") ||
        text::EndsWith(lead, "기자)"))) {
    return 0;
  }
  return last + 1;
}

}  // namespace

std::string_view StripDateline(std::string_view p) {
  std::string_view s = text::Trim(p);
  bool cut = false;
  for (int round = 0; round < 2 && !s.empty(); ++round) {
    char open = s.front();
    if (open == '(' || open == '[' || text::StartsWith(s, "【")) {
      std::string_view close = open == '(' ? ")" : open == '[' ? "]" : "】";
      size_t end = s.find(close);
      if (end == std::string_view::npos || end > kMaxDatelineBytes) break;
      std::string_view inside = s.substr(open == '(' || open == '[' ? 1 : 3,
                                         end - (open == '(' || open == '[' ? 1 : 3));
      if (inside.find('=') == std::string_view::npos && !EndsWithPressName(inside)) break;
      s = text::Trim(s.substr(end + close.size()));
      cut = true;
      continue;
    }
    size_t lead = ReporterLead(s);
    if (lead == 0) break;
    s = text::Trim(s.substr(lead));
    cut = true;
    break;
  }
  return cut ? s : p;
}

std::vector<std::string> FindReporterNames(std::string_view s, bool strict) {
  std::vector<std::string> names;
  for (std::string_view marker : {std::string_view("기자"), std::string_view("특파원")}) {
    size_t from = 0;
    while (true) {
      size_t p = s.find(marker, from);
      if (p == std::string_view::npos) break;
      from = p + marker.size();
      size_t after = p + marker.size();
      // "기자회견", "기자들": a word that only starts with the marker.
      if (after < s.size()) {
        size_t k = after;
        char32_t next = text::NextCodePoint(s, &k);
        if (text::IsHangulSyllable(next)) continue;
      }
      if (strict) {
        size_t k = after;
        while (k < s.size() && s[k] == ' ') ++k;
        bool ok = k >= s.size() || s[k] == '=' || s[k] == '(' || s[k] == ')' || s[k] == ']' ||
                  s[k] == '/' || s[k] == '|' || s[k] == ',' ||
                  (s.find('@', k) != std::string_view::npos && s.find('@', k) < k + 40);
        if (!ok) continue;
      }
      size_t end = SkipSpacesBack(s, p);
      size_t begin;
      std::string_view run = HangulRunBefore(s, end, &begin);
      // "홍길동선임기자" / "홍길동 선임 기자": drop a title word.
      for (std::string_view t : kTitleWords) {
        if (run.size() > t.size() && text::EndsWith(run, t) && end == p) {
          run = run.substr(0, run.size() - t.size());
          break;
        }
        if (run == t) {
          end = SkipSpacesBack(s, begin);
          run = HangulRunBefore(s, end, &begin);
          break;
        }
      }
      std::vector<std::string> found;
      while (true) {
        size_t n = SyllableCount(run);
        if (n < 2 || n > 4 || IsNotName(run)) break;
        found.insert(found.begin(), std::string(run));
        // "홍길동·김철수 기자", "홍길동, 김철수 기자"
        size_t q = SkipSpacesBack(s, begin);
        if (q >= 2 && s.compare(q - 2, 2, "\xC2\xB7") == 0) {
          q -= 2;
        } else if (q >= 1 && (s[q - 1] == ',' || s[q - 1] == '/')) {
          q -= 1;
        } else {
          break;
        }
        q = SkipSpacesBack(s, q);
        run = HangulRunBefore(s, q, &begin);
      }
      for (std::string& f : found) AddUnique(&names, std::move(f));
    }
  }
  return names;
}

std::vector<std::string> CleanAuthorNames(std::string_view raw) {
  std::vector<std::string> out;
  std::string s = text::Collapse(raw);
  if (s.empty() || text::StartsWith(s, "http://") || text::StartsWith(s, "https://") ||
      text::StartsWith(s, "//")) {
    return out;
  }
  // Drop bracketed parts and e-mail addresses.
  std::string cleaned;
  int depth = 0;
  for (char c : s) {
    if (c == '(' || c == '[' || c == '<') {
      ++depth;
      continue;
    }
    if ((c == ')' || c == ']' || c == '>') && depth > 0) {
      --depth;
      continue;
    }
    if (depth == 0) cleaned.push_back(c);
  }
  // '·' joins names ("홍길동·김철수") but also affiliations ("한국대 교수·
  // 컴퓨터공학"): it separates only when every piece is one short word.
  bool middot_splits = true;
  {
    size_t from = 0;
    while (from <= cleaned.size()) {
      size_t dot = cleaned.find("\xC2\xB7", from);
      size_t end = dot == std::string::npos ? cleaned.size() : dot;
      std::string_view piece = text::Trim(std::string_view(cleaned).substr(from, end - from));
      if (piece.find(' ') != std::string_view::npos || piece.size() > 15) middot_splits = false;
      if (dot == std::string::npos) break;
      from = dot + 2;
    }
  }
  // Split on separators.
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&]() {
    parts.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < cleaned.size(); ++i) {
    if (cleaned[i] == ',' || cleaned[i] == '/' || cleaned[i] == '&' || cleaned[i] == '|' ||
        cleaned[i] == ';') {
      flush();
      continue;
    }
    if (cleaned.compare(i, 2, "\xC2\xB7") == 0 && middot_splits) {
      flush();
      ++i;
      continue;
    }
    if (cleaned.compare(i, 5, " and ") == 0) {
      flush();
      i += 4;
      continue;
    }
    if (cleaned.compare(i, 5, " \xEB\xB0\x8F ") == 0) {  // " 및 "
      flush();
      i += 4;
      continue;
    }
    cur.push_back(cleaned[i]);
  }
  flush();
  for (std::string& part : parts) {
    // Words: drop e-mails, titles, "By".
    std::string name;
    size_t i = 0;
    std::string_view p = part;
    while (i < p.size()) {
      while (i < p.size() && p[i] == ' ') ++i;
      size_t j = p.find(' ', i);
      if (j == std::string_view::npos) j = p.size();
      std::string_view w = p.substr(i, j - i);
      i = j;
      if (w.empty() || w.find('@') != std::string_view::npos) continue;
      if (w == "By" || w == "by" || w == "BY" || w == "=" || w == "기자" || w == "특파원" ||
          w == "선임기자" || w == "수석기자" || w == "객원기자" || w == "인턴기자" ||
          w == "전문기자" || w == "대기자" || w == "논설위원" || w == "기자)") {
        continue;
      }
      // "홍길동기자" written together.
      if (w.size() > 6 && text::EndsWith(w, "기자")) w.remove_suffix(6);
      if (!name.empty()) name.push_back(' ');
      name.append(w);
    }
    std::string_view t = text::Trim(name);
    while (!t.empty() && (t.front() == '=' || t.front() == '-' || t.front() == ':')) {
      t.remove_prefix(1);
      t = text::Trim(t);
    }
    while (!t.empty() && (t.back() == '=' || t.back() == '-' || t.back() == ':')) {
      t.remove_suffix(1);
      t = text::Trim(t);
    }
    if (t.empty() || t.size() > 60) continue;
    // "김도현 한국대 교수": a Korean name followed by an affiliation or title.
    size_t space = t.find(' ');
    if (space != std::string_view::npos) {
      std::string_view first = t.substr(0, space);
      size_t syllables = 0;
      bool hangul = true;
      for (size_t k = 0; k < first.size();) {
        if (!text::IsHangulSyllable(text::NextCodePoint(first, &k))) hangul = false;
        ++syllables;
      }
      if (hangul && syllables >= 2 && syllables <= 4) t = first;
    }
    // Press agencies and portals are not authors.
    if (EndsWithPressName(t) || t == "네이버" || t == "다음" || t == "카카오" || t == "Naver" ||
        t == "Daum") {
      continue;
    }
    AddUnique(&out, std::string(t));
  }
  return out;
}

}  // namespace jikji::parser::internal
