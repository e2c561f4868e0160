// Session store: a hash per session with a sliding expiry.
package main

import (
	"fmt"
	"log"
	"os"
	"time"

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

	key := "session:abc123"
	if _, err := db.HSet(key, map[string]any{"user_id": 42, "name": "Alice", "cart_items": 0}); err != nil {
		log.Fatal(err)
	}
	if _, err := db.Expire(key, 30*time.Minute); err != nil {
		log.Fatal(err)
	}
	// Each request touches the session: bump a counter, slide the expiry.
	for i := 0; i < 3; i++ {
		if _, err := db.HIncrBy(key, "cart_items", 1); err != nil {
			log.Fatal(err)
		}
		db.Expire(key, 30*time.Minute)
	}
	s, err := db.HGetAll(key)
	if err != nil {
		log.Fatal(err)
	}
	ttl, _ := db.TTL(key)
	fmt.Printf("session user=%s name=%s cart_items=%s ttl_ok=%v\n", s["user_id"], s["name"], s["cart_items"], ttl > 0 && ttl <= 1800)
	// Logout.
	db.Del(key)
	n, _ := db.Exists(key)
	fmt.Printf("after logout exists=%d\n", n)
}
