"""What gPodder's podcastparser reads from a feed, as JSON: the third independent parser of the tests.

Usage: python3 podcastparser_facts.py FEED.xml  ->  {"title": ..., "episodes": [{guid, title, chapters, transcript_url, ...}]}
"""
import json
import sys

import podcastparser


def main(path):
    with open(path, 'rb') as stream:
        feed = podcastparser.parse('file://' + path, stream)
    episodes = []
    for episode in feed.get('episodes', []):
        episodes.append({
            'guid': episode.get('guid'),
            'title': episode.get('title'),
            'enclosures': [{'url': e.get('url'), 'length': e.get('file_size'), 'type': e.get('mime_type')} for e in episode.get('enclosures', [])],
            'total_time': episode.get('total_time'),
            'number': episode.get('number'),
            'season': episode.get('season'),
            'chapters': episode.get('chapters', []),
            'transcript_url': episode.get('transcript_url'),
            'published': episode.get('published'),
        })
    json.dump({'title': feed.get('title'), 'funding': feed.get('funding_url'), 'episodes': episodes}, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
