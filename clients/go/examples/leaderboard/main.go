// Leaderboard: a sorted set of scores, the top players with their scores.
package main

import (
	"fmt"
	"log"
	"os"

	"diskdb.dev/client"
)

func addr() string {
	if a := os.Getenv("DISKDB_ADDR"); a != "" {
		return a
	}
	return "localhost:6380"
}

func main() {
	db, err := client.Connect(addr())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.Del("leaderboard")
	if _, err := db.ZAdd("leaderboard", map[string]float64{"alice": 2500, "bob": 1800, "carol": 3100, "dave": 900}); err != nil {
		log.Fatal(err)
	}
	db.ZIncrBy("leaderboard", 1000, "bob")
	top, err := db.ZRevRangeWithScores("leaderboard", 0, 2)
	if err != nil {
		log.Fatal(err)
	}
	for i, z := range top {
		fmt.Printf("%d. %s %.0f\n", i+1, z.Member, z.Score)
	}
	rank, _ := db.ZRevRank("leaderboard", "alice")
	fmt.Printf("alice rank=%d\n", rank+1)
}
