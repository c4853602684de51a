"""sqskit.protocol"""
