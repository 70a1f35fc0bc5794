package synthetic

import "strings"

// aspect is something a reviewer judges, with phrases for each polarity.
type aspect struct {
	name     string
	pos, neg []string
}

// plural says whether the aspect's name takes "are" ("the songs are").
func (a *aspect) plural() bool {
	return strings.HasSuffix(a.name, "s") && !strings.HasSuffix(a.name, "ss")
}

// be is the aspect's verb: "is" or "are".
func (a *aspect) be() string {
	if a.plural() {
		return "are"
	}
	return "is"
}

// pronounBe is "it is" or "they are".
func (a *aspect) pronounBe() string {
	if a.plural() {
		return "they are"
	}
	return "it is"
}

// category is a product family: its products and the aspects people review.
type category struct {
	name     string
	products []string
	aspects  []aspect
}

// generalAspects apply to every product.
var generalAspects = []aspect{
	{"price", []string{"fair", "reasonable", "a bargain", "worth every penny", "very good value"}, []string{"too high", "a rip-off", "way too much", "not worth it", "overpriced"}},
	{"build quality", []string{"solid", "excellent", "sturdy", "well made", "impressive"}, []string{"cheap", "flimsy", "poor", "shoddy", "terrible"}},
	{"packaging", []string{"neat", "secure", "nice", "well done"}, []string{"damaged", "a mess", "torn", "careless"}},
	{"customer service", []string{"helpful", "quick to answer", "friendly", "great"}, []string{"useless", "rude", "impossible to reach", "unhelpful"}},
	{"instructions", []string{"clear", "easy to follow", "simple", "well written"}, []string{"confusing", "useless", "missing", "badly translated"}},
	{"quality", []string{"great", "excellent", "top notch", "outstanding", "superb"}, []string{"poor", "awful", "bad", "disappointing", "horrible"}},
}

var categories = []category{
	{"electronics", []string{"headphones", "bluetooth speaker", "phone charger", "usb cable", "tablet", "laptop stand", "webcam", "power bank", "keyboard", "mouse", "router", "earbuds"},
		[]aspect{
			{"sound", []string{"crisp", "rich", "clear", "amazing", "balanced"}, []string{"tinny", "muffled", "distorted", "awful", "thin"}},
			{"battery life", []string{"excellent", "long", "impressive", "great"}, []string{"short", "pathetic", "terrible", "disappointing"}},
			{"connection", []string{"stable", "reliable", "instant", "solid"}, []string{"spotty", "unreliable", "flaky", "constantly dropping"}},
			{"charging", []string{"fast", "quick", "reliable"}, []string{"slow", "painfully slow", "intermittent"}},
			{"screen", []string{"bright", "sharp", "gorgeous", "vivid"}, []string{"dim", "blurry", "washed out", "scratched"}},
		}},
	{"books", []string{"novel", "cookbook", "biography", "history book", "thriller", "children's book", "textbook", "poetry collection"},
		[]aspect{
			{"story", []string{"gripping", "moving", "beautiful", "captivating", "engaging"}, []string{"boring", "predictable", "dull", "pointless", "confusing"}},
			{"writing", []string{"elegant", "witty", "beautiful", "sharp"}, []string{"clumsy", "dull", "sloppy", "lazy"}},
			{"characters", []string{"believable", "memorable", "lovable", "rich"}, []string{"flat", "annoying", "shallow", "forgettable"}},
			{"ending", []string{"satisfying", "perfect", "surprising", "touching"}, []string{"rushed", "disappointing", "silly", "abrupt"}},
			{"recipes", []string{"delicious", "easy", "creative", "reliable"}, []string{"bland", "complicated", "wrong", "uninspired"}},
		}},
	{"kitchen", []string{"blender", "coffee maker", "knife set", "toaster", "frying pan", "kettle", "food processor", "rice cooker", "mixing bowls"},
		[]aspect{
			{"blades", []string{"sharp", "powerful", "strong"}, []string{"dull", "weak", "rusty"}},
			{"coffee", []string{"hot", "delicious", "smooth", "perfect"}, []string{"lukewarm", "bitter", "weak", "watery"}},
			{"cleanup", []string{"easy", "quick", "effortless"}, []string{"a nightmare", "annoying", "difficult"}},
			{"non-stick coating", []string{"excellent", "durable", "slick"}, []string{"peeling", "useless", "scratched"}},
			{"motor", []string{"powerful", "quiet", "strong"}, []string{"loud", "weak", "smelly"}},
		}},
	{"toys", []string{"puzzle", "board game", "lego set", "doll", "toy car", "kite", "drone", "stuffed animal"},
		[]aspect{
			{"fun factor", []string{"huge", "great", "endless"}, []string{"zero", "minimal", "nonexistent"}},
			{"pieces", []string{"sturdy", "colorful", "well cut"}, []string{"missing", "flimsy", "sharp"}},
			{"rules", []string{"simple", "clever", "easy to learn"}, []string{"confusing", "unclear", "tedious"}},
			{"paint", []string{"bright", "safe", "vivid"}, []string{"chipping", "smelly", "faded"}},
		}},
	{"clothing", []string{"jacket", "running shoes", "jeans", "t-shirt", "sweater", "boots", "socks", "dress", "backpack"},
		[]aspect{
			{"fit", []string{"perfect", "true to size", "comfortable", "flattering"}, []string{"too small", "way too big", "awkward", "tight"}},
			{"fabric", []string{"soft", "thick", "breathable", "warm"}, []string{"scratchy", "thin", "itchy", "see-through"}},
			{"stitching", []string{"neat", "strong", "clean"}, []string{"loose", "crooked", "coming apart"}},
			{"color", []string{"beautiful", "exactly as pictured", "rich"}, []string{"faded", "nothing like the picture", "dull"}},
			{"comfort", []string{"amazing", "great", "excellent"}, []string{"terrible", "poor", "painful"}},
		}},
	{"beauty", []string{"shampoo", "face cream", "perfume", "hair dryer", "lipstick", "sunscreen", "electric razor"},
		[]aspect{
			{"scent", []string{"lovely", "fresh", "subtle", "pleasant"}, []string{"overpowering", "chemical", "nasty", "cheap"}},
			{"texture", []string{"smooth", "light", "silky"}, []string{"greasy", "sticky", "clumpy"}},
			{"results", []string{"visible", "amazing", "noticeable"}, []string{"nonexistent", "disappointing", "terrible"}},
		}},
	{"sports", []string{"yoga mat", "dumbbells", "tennis racket", "bike helmet", "water bottle", "tent", "sleeping bag", "fitness tracker"},
		[]aspect{
			{"grip", []string{"excellent", "firm", "secure"}, []string{"slippery", "poor", "nonexistent"}},
			{"weight", []string{"light", "well balanced", "perfect"}, []string{"heavy", "awkward", "unbalanced"}},
			{"durability", []string{"excellent", "impressive", "outstanding"}, []string{"poor", "awful", "laughable"}},
			{"accuracy", []string{"spot on", "precise", "reliable"}, []string{"way off", "random", "unreliable"}},
		}},
	{"music", []string{"album", "cd", "vinyl record", "live album", "soundtrack", "guitar strings", "keyboard stand"},
		[]aspect{
			{"songs", []string{"catchy", "beautiful", "timeless", "brilliant"}, []string{"forgettable", "repetitive", "boring", "weak"}},
			{"vocals", []string{"stunning", "soulful", "powerful"}, []string{"off key", "whiny", "flat"}},
			{"production", []string{"polished", "warm", "clean"}, []string{"muddy", "overproduced", "sloppy"}},
			{"lyrics", []string{"clever", "deep", "moving"}, []string{"cheesy", "shallow", "silly"}},
		}},
	{"movies", []string{"dvd", "blu-ray", "box set", "documentary", "season one set", "animated movie"},
		[]aspect{
			{"acting", []string{"superb", "convincing", "brilliant"}, []string{"wooden", "awful", "over the top"}},
			{"plot", []string{"clever", "gripping", "original"}, []string{"thin", "predictable", "ridiculous"}},
			{"picture quality", []string{"sharp", "stunning", "crisp"}, []string{"grainy", "blurry", "awful"}},
			{"special features", []string{"generous", "interesting", "fun"}, []string{"missing", "pointless", "thin"}},
		}},
	{"video games", []string{"game", "controller", "gaming headset", "racing wheel", "strategy game", "shooter"},
		[]aspect{
			{"gameplay", []string{"addictive", "smooth", "fun", "deep"}, []string{"clunky", "repetitive", "broken", "tedious"}},
			{"graphics", []string{"gorgeous", "detailed", "stunning"}, []string{"dated", "ugly", "glitchy"}},
			{"controls", []string{"responsive", "intuitive", "tight"}, []string{"sluggish", "awkward", "unresponsive"}},
			{"multiplayer", []string{"great", "lively", "stable"}, []string{"laggy", "dead", "broken"}},
		}},
	{"tools", []string{"drill", "screwdriver set", "tape measure", "ladder", "saw", "flashlight", "socket wrench set"},
		[]aspect{
			{"power", []string{"plenty", "impressive", "excellent"}, []string{"weak", "pathetic", "inadequate"}},
			{"handle", []string{"comfortable", "ergonomic", "solid"}, []string{"slippery", "cheap", "uncomfortable"}},
			{"brightness", []string{"excellent", "blinding", "great"}, []string{"weak", "dim", "pathetic"}},
		}},
	{"pet supplies", []string{"dog bed", "cat litter", "leash", "pet food", "scratching post", "aquarium filter", "chew toy"},
		[]aspect{
			{"size", []string{"perfect", "just right", "roomy"}, []string{"tiny", "wrong", "too small"}},
			{"durability", []string{"great", "impressive", "excellent"}, []string{"awful", "poor", "nonexistent"}},
			{"smell", []string{"neutral", "fine", "pleasant"}, []string{"awful", "strong", "chemical"}},
		}},
	{"home", []string{"vacuum cleaner", "desk lamp", "curtains", "office chair", "bookshelf", "bed sheets", "pillow", "humidifier"},
		[]aspect{
			{"suction", []string{"powerful", "strong", "excellent"}, []string{"weak", "useless", "pathetic"}},
			{"assembly", []string{"easy", "quick", "painless"}, []string{"a nightmare", "frustrating", "impossible"}},
			{"noise level", []string{"low", "whisper quiet", "fine"}, []string{"loud", "unbearable", "annoying"}},
			{"comfort", []string{"wonderful", "excellent", "great"}, []string{"awful", "poor", "terrible"}},
		}},
	{"baby", []string{"stroller", "car seat", "baby monitor", "diaper bag", "high chair", "bottle warmer"},
		[]aspect{
			{"safety", []string{"reassuring", "excellent", "solid"}, []string{"worrying", "questionable", "poor"}},
			{"folding", []string{"easy", "quick", "effortless"}, []string{"awkward", "difficult", "frustrating"}},
			{"video", []string{"clear", "sharp", "reliable"}, []string{"grainy", "laggy", "useless"}},
		}},
	{"garden", []string{"garden hose", "lawn mower", "pruning shears", "seed kit", "planter", "sprinkler", "bird feeder"},
		[]aspect{
			{"water pressure", []string{"strong", "even", "great"}, []string{"weak", "uneven", "poor"}},
			{"cutting", []string{"clean", "effortless", "sharp"}, []string{"ragged", "hard work", "uneven"}},
			{"germination", []string{"excellent", "quick", "impressive"}, []string{"poor", "nonexistent", "disappointing"}},
		}},
}

var (
	intensifiers = []string{"very", "really", "extremely", "incredibly", "super", "so", "absolutely", "pretty", "quite", "truly", "seriously"}

	posTitles = []string{"Great %s", "Love it", "Exactly what I needed", "Five stars", "Works like a charm", "Best %s I have owned",
		"Highly recommended", "Solid %s for the price", "Very happy", "Excellent", "Would buy again", "Pleasantly surprised",
		"A must have", "Fantastic %s", "Does the job well"}
	negTitles = []string{"Disappointed", "Waste of money", "Broke after a week", "Do not buy", "Not as described", "Poor quality %s",
		"One star", "Save your money", "Very unhappy", "Terrible %s", "Returned it", "Not worth it", "Avoid this %s", "Junk", "Cheaply made"}
	neutralTitles = []string{"My review of the %s", "%s", "Honest review", "After one month", "Read this first", "Some thoughts", "Update"}

	posVerdicts = []string{"I would definitely recommend it to anyone.", "I would buy it again in a heartbeat.", "Highly recommended.",
		"Five stars from me.", "I am very happy with this purchase.", "Best purchase I have made this year.", "My whole family loves it.",
		"Worth every penny.", "I already ordered a second one as a gift.", "It exceeded my expectations.", "You will not regret buying it."}
	negVerdicts = []string{"I would not recommend it to anyone.", "Save your money and buy something else.", "Avoid.",
		"One star, and that is generous.", "I regret buying it.", "Complete waste of money.", "I am sending it back.",
		"Stay away from this one.", "Very disappointed with this purchase.", "It did not live up to the hype.", "Do not waste your time."}
	negatedPosVerdicts = []string{"I can't say I have any complaints.", "I have no regrets at all.", "I never had a single problem with it.",
		"Not a single complaint so far.", "I wouldn't hesitate to buy it again.", "It never lets me down."}
	negatedNegVerdicts = []string{"I can't recommend it.", "It isn't worth the money.", "I wouldn't buy it again.", "Not what I expected at all.",
		"It doesn't work as advertised.", "I never got it to work properly.", "Nobody should buy this."}

	posExperiences = []string{"I have been using it for %s and it still works perfectly.", "After %s it still looks brand new.",
		"I have used it every day for %s without any trouble.", "It has held up great for %s.", "It worked right out of the box."}
	negExperiences = []string{"It stopped working after %s.", "I returned it after %s.", "After %s it fell apart.",
		"It broke within %s.", "It never worked right out of the box.", "The replacement failed after %s too."}
	durations = []string{"two days", "a week", "ten days", "two weeks", "a month", "three months", "six months", "a year", "two years"}

	fillers = []string{"I bought this as a gift for my %s.", "I ordered it to replace my old %s.", "It arrived %s.",
		"I use it mostly on weekends.", "I use it almost every day.", "My %s picked this one out.", "I did a lot of research before buying.",
		"It came in a plain brown box.", "I have owned several of these over the years.", "I read the reviews before ordering.",
		"The seller shipped it quickly.", "This is my second one.", "I paid about %s for it.", "We took it on a trip last month.",
		"It took a few minutes to set up.", "The color is slightly different from the photo.", "My %s uses it too."}
	people   = []string{"wife", "husband", "son", "daughter", "mother", "father", "sister", "brother", "best friend", "roommate", "neighbor", "kids"}
	arrivals = []string{"on time", "a day early", "two days late", "right on schedule", "in perfect condition", "a week later than promised"}
	prices   = []string{"twenty dollars", "fifteen bucks", "forty dollars", "ninety dollars", "ten dollars", "a hundred dollars"}

	posComparisons = []string{"It is much better than my old %s.", "It beats every other %s I have tried.", "Far better than the expensive brands."}
	negComparisons = []string{"My old %s was much better.", "It is worse than the cheap %s I had before.", "The cheaper brands are better."}
)
